// Workgroup-wide sum and max through shared memory, for kernels with one workgroup per row.
// The including shader declares `WORKGROUP` (a power-of-two specialization constant used as local_size_x).
#ifndef VELA_WORKGROUP_REDUCE_GLSL
#define VELA_WORKGROUP_REDUCE_GLSL

shared float reduceScratch[WORKGROUP];

float workgroupSum(float value)
{
    const uint tid = gl_LocalInvocationID.x;
    reduceScratch[tid] = value;
    // Every thread's value must be in shared memory before the tree starts.
    barrier();
    for (uint stride = WORKGROUP / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            reduceScratch[tid] += reduceScratch[tid + stride];
        // The next level reads what this level wrote.
        barrier();
    }
    const float total = reduceScratch[0];
    // Nobody may overwrite slot 0 (in a later reduction) before everyone has read it.
    barrier();
    return total;
}

float workgroupMax(float value)
{
    const uint tid = gl_LocalInvocationID.x;
    reduceScratch[tid] = value;
    // Every thread's value must be in shared memory before the tree starts.
    barrier();
    for (uint stride = WORKGROUP / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            reduceScratch[tid] = max(reduceScratch[tid], reduceScratch[tid + stride]);
        // The next level reads what this level wrote.
        barrier();
    }
    const float total = reduceScratch[0];
    // Nobody may overwrite slot 0 (in a later reduction) before everyone has read it.
    barrier();
    return total;
}

#endif
