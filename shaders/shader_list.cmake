# Every shader variant the engine embeds: vela_shader(NAME SOURCE [DEFINES …]). Ops look them up by NAME.
vela_shader(add add.comp)
vela_shader(add_scaled add.comp DEFINES VELA_SCALED_B=1)
# Weight-type variants: matvec and expert-indexed matvec (shared-memory and subgroupAdd reductions) and embedding
# lookup, one per type.
foreach(type f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k q4_k q5_k q6_k)
    string(TOUPPER ${type} upper)
    vela_shader(matvec_${type} matvec.comp DEFINES DATA_A_${upper}=1)
    vela_shader(matvec_${type}_subgroup matvec.comp DEFINES DATA_A_${upper}=1 VELA_SUBGROUP_REDUCE=1)
    vela_shader(matvec_experts_${type} matvec.comp DEFINES DATA_A_${upper}=1 VELA_EXPERTS=1)
    vela_shader(matvec_experts_${type}_subgroup matvec.comp DEFINES DATA_A_${upper}=1 VELA_EXPERTS=1
                VELA_SUBGROUP_REDUCE=1)
    vela_shader(embedding_${type} embedding.comp DEFINES DATA_A_${upper}=1)
endforeach()
# Tiled matrix × matrix for prompt processing (weight dequantized into shared memory), one per weight type.
foreach(type f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k q4_k q5_k q6_k)
    string(TOUPPER ${type} upper)
    vela_shader(matmul_${type} matmul.comp DEFINES DATA_A_${upper}=1)
endforeach()
# Non-matmul kernels of a transformer layer and the logit selection for sampling.
vela_shader(rms_norm rms_norm.comp)
vela_shader(rope rope.comp)
vela_shader(kv_store kv_store.comp)
vela_shader(attention attention.comp)
vela_shader(swiglu swiglu.comp)
vela_shader(gelu gelu.comp)
vela_shader(geglu gelu.comp DEFINES VELA_GATED=1)
vela_shader(scale scale.comp)
vela_shader(soft_cap scale.comp DEFINES VELA_SOFT_CAP=1)
vela_shader(softmax softmax.comp)
vela_shader(argmax argmax.comp)
vela_shader(topk topk.comp)
vela_shader(copy_columns copy_columns.comp)
vela_shader(layer_norm layer_norm.comp)
# Mixture-of-Experts: expert choice per token, and the weighted sum of the chosen experts' outputs.
vela_shader(moe_route moe_route.comp)
vela_shader(moe_combine moe_combine.comp)
vela_shader(avg_pool_tokens avg_pool_tokens.comp)
