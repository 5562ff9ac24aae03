# Every shader variant the engine embeds: vela_shader(NAME SOURCE [DEFINES …]). Ops look them up by NAME.
vela_shader(add add.comp)
# Weight-type variants: matvec (shared-memory and subgroupAdd reductions) and embedding lookup, one per type.
foreach(type f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k q4_k q5_k q6_k)
    string(TOUPPER ${type} upper)
    vela_shader(matvec_${type} matvec.comp DEFINES DATA_A_${upper}=1)
    vela_shader(matvec_${type}_subgroup matvec.comp DEFINES DATA_A_${upper}=1 VELA_SUBGROUP_REDUCE=1)
    vela_shader(embedding_${type} embedding.comp DEFINES DATA_A_${upper}=1)
endforeach()
