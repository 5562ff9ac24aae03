#version 450
// The k largest logits (k ≤ 64), sorted descending, ties → lower index first, NaN last; in two passes:
// pass 0 sorts each CHUNK of logits in shared memory (bitonic) and writes its top k to the scratch buffer;
// pass 1 (one workgroup) streams the candidates through the same sort, keeping the top k at the front.
// Sampling then downloads 2·k values instead of the whole vocabulary.
// References: Batcher 1968, bitonic sorting network; the sampler's top-k order (inference/sampling/sampler.cpp).
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 256;
layout(constant_id = 1) const uint CHUNK = 2048;  // power of two: sort size, logits per workgroup in pass 0
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };     // (n)
layout(std430, binding = 1) buffer Scratch { uint scratch[]; };             // (candidates, 2): key, index
layout(std430, binding = 2) writeonly buffer Ids { uint ids[]; };           // (k)
layout(std430, binding = 3) writeonly buffer Values { float values[]; };    // (k)
layout(push_constant) uniform Push { SelectPush p; };

#include "select_order.glsl"

shared uint sKey[CHUNK];
shared uint sIndex[CHUNK];

// Sorts sKey/sIndex so that sKey[0] ranks first.
void sortChunk()
{
    // The loads into shared memory are complete.
    barrier();
    for (uint size = 2u; size <= CHUNK; size <<= 1u) {
        for (uint stride = size >> 1u; stride > 0u; stride >>= 1u) {
            for (uint t = gl_LocalInvocationID.x; t < CHUNK / 2u; t += WORKGROUP) {
                const uint i = 2u * t - (t & (stride - 1u));
                const uint j = i + stride;
                const bool descending = (i & size) == 0u;
                if (ranksBefore(sKey[j], sIndex[j], sKey[i], sIndex[i]) == descending) {
                    const uint key = sKey[i];
                    const uint index = sIndex[i];
                    sKey[i] = sKey[j];
                    sIndex[i] = sIndex[j];
                    sKey[j] = key;
                    sIndex[j] = index;
                }
            }
            // The next stage compares pairs that this stage's other threads wrote.
            barrier();
        }
    }
}

void selectChunk()
{
    const uint begin = gl_WorkGroupID.x * CHUNK;
    for (uint s = gl_LocalInvocationID.x; s < CHUNK; s += WORKGROUP) {
        const uint i = begin + s;
        sKey[s] = i < p.n ? orderedKey(logits[i]) : 0u;
        sIndex[s] = i < p.n ? i : SELECT_NONE_INDEX;
    }
    sortChunk();
    for (uint s = gl_LocalInvocationID.x; s < p.k; s += WORKGROUP) {
        const uint at = gl_WorkGroupID.x * p.k + s;
        scratch[2u * at] = sKey[s];
        scratch[2u * at + 1u] = sIndex[s];
    }
}

void mergeCandidates()
{
    for (uint s = gl_LocalInvocationID.x; s < p.k; s += WORKGROUP) {
        sKey[s] = 0u;
        sIndex[s] = SELECT_NONE_INDEX;
    }
    // Each round refills everything behind the current top k, whose slots nobody else writes.
    for (uint first = 0u; first < p.candidates; first += CHUNK - p.k) {
        for (uint s = p.k + gl_LocalInvocationID.x; s < CHUNK; s += WORKGROUP) {
            const uint c = first + s - p.k;
            sKey[s] = c < p.candidates ? scratch[2u * c] : 0u;
            sIndex[s] = c < p.candidates ? scratch[2u * c + 1u] : SELECT_NONE_INDEX;
        }
        sortChunk();
    }
    for (uint s = gl_LocalInvocationID.x; s < p.k; s += WORKGROUP) {
        ids[s] = sIndex[s];
        values[s] = logits[sIndex[s]];
    }
}

void main()
{
    if (p.pass == 0u)
        selectChunk();
    else
        mergeCandidates();
}
