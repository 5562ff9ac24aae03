#version 450
// Index and value of the largest logit (ties → lowest index, NaN never wins over a number), in two passes:
// pass 0 reduces each CHUNK of logits to one candidate per workgroup in the scratch buffer, pass 1 (one
// workgroup) reduces the candidates. Greedy decoding then downloads 8 bytes instead of the logits.
// Reference: the sampler's greedy argmax (inference/sampling/sampler.cpp); a classic two-level tree
// reduction (Harris, "Optimizing Parallel Reduction in CUDA", 2007).
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 256;
layout(constant_id = 1) const uint CHUNK = 4096;  // logits per workgroup in pass 0
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };  // (n)
layout(std430, binding = 1) buffer Scratch { uint scratch[]; };          // (candidates, 2): key, index
layout(std430, binding = 2) writeonly buffer Out { uint result[]; };     // index, value bits
layout(push_constant) uniform Push { SelectPush p; };

#include "select_order.glsl"

shared uint sKey[WORKGROUP];
shared uint sIndex[WORKGROUP];

void main()
{
    const uint tid = gl_LocalInvocationID.x;
    uint bestKey = 0u;
    uint bestIndex = SELECT_NONE_INDEX;
    if (p.pass == 0u) {
        const uint begin = gl_WorkGroupID.x * CHUNK;
        const uint end = min(p.n, begin + CHUNK);
        for (uint i = begin + tid; i < end; i += WORKGROUP) {
            const uint key = orderedKey(logits[i]);
            if (ranksBefore(key, i, bestKey, bestIndex)) {
                bestKey = key;
                bestIndex = i;
            }
        }
    } else {
        for (uint c = tid; c < p.candidates; c += WORKGROUP) {
            const uint key = scratch[2u * c];
            const uint index = scratch[2u * c + 1u];
            if (ranksBefore(key, index, bestKey, bestIndex)) {
                bestKey = key;
                bestIndex = index;
            }
        }
    }
    sKey[tid] = bestKey;
    sIndex[tid] = bestIndex;
    // Every thread's candidate is in shared memory before the tree starts.
    barrier();
    for (uint stride = WORKGROUP / 2u; stride > 0u; stride >>= 1u) {
        if (tid < stride && ranksBefore(sKey[tid + stride], sIndex[tid + stride], sKey[tid], sIndex[tid])) {
            sKey[tid] = sKey[tid + stride];
            sIndex[tid] = sIndex[tid + stride];
        }
        // The next level reads what this level wrote.
        barrier();
    }
    if (tid != 0u)
        return;
    if (p.pass == 0u) {
        scratch[2u * gl_WorkGroupID.x] = sKey[0];
        scratch[2u * gl_WorkGroupID.x + 1u] = sIndex[0];
    } else {
        result[0] = sIndex[0];
        result[1] = floatBitsToUint(logits[sIndex[0]]);
    }
}
