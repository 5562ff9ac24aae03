#version 450
// Rotary position embedding in place on q or k, one thread per rotated pair of one head of one token.
// Normal mode rotates (x[2i], x[2i+1]), NeoX mode (x[i], x[i + nRot/2]); dimensions ≥ nRot pass through.
// Angles follow ggml's CPU path step by step (theta = position · step^i by repeated multiplication, the
// frequency factor divides, YaRN mixes interpolated and extrapolated theta over a linear ramp), and sin/cos
// use our own range reduction so that angles in the thousands of radians stay accurate on every GPU.
// References: Su et al. 2021, RoFormer (arXiv:2104.09864); Peng et al. 2023, YaRN (arXiv:2309.00071);
// llama.cpp ggml-cpu ops.cpp rope_yarn / ggml_rope_cache_init, ggml.c ggml_rope_yarn_corr_dims;
// Cephes sinf/cosf (Moshier) for the polynomial kernels.
#include "vela_abi.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer X { float x[]; };                     // (nTokens, nHeads, headDim)
layout(std430, binding = 1) readonly buffer Positions { int positions[]; };  // (nTokens)
layout(std430, binding = 2) readonly buffer Factors { float factors[]; };    // (nRot/2), when hasFactors
layout(push_constant) uniform Push { RopePush p; };

// sin and cos of `angle`: reduced by multiples of π/2 with a three-part constant (exact products through
// fma), then minimax polynomials on [−π/4, π/4]. Accurate to a few ulp for |angle| up to ~1e5.
void sinCos(float angle, out float s, out float c)
{
    const float quadrants = round(angle * 0.63661977236758134308);  // angle / (π/2)
    precise float r = fma(-quadrants, 1.5703125, angle);
    r = fma(-quadrants, 4.837512969970703125e-4, r);
    r = fma(-quadrants, 7.54978995489188216e-8, r);
    const float r2 = r * r;
    const float sinR = r + r * r2 * ((-1.9515295891e-4 * r2 + 8.3321608736e-3) * r2 - 1.6666654611e-1);
    const float cosR = 1.0 - 0.5 * r2 + r2 * r2 * ((2.443315711809948e-5 * r2 - 1.388731625493765e-3) * r2 +
                                                    4.166664568298827e-2);
    const int q = int(quadrants) & 3;
    s = q == 0 ? sinR : q == 1 ? cosR : q == 2 ? -sinR : -cosR;
    c = q == 0 ? cosR : q == 1 ? -sinR : q == 2 ? -cosR : sinR;
}

float yarnRamp(uint pair)
{
    const float y = (float(pair) - p.corrLow) / max(0.001, p.corrHigh - p.corrLow);
    return 1.0 - min(1.0, max(0.0, y));
}

void main()
{
    const uint pairs = p.nRot / 2;
    const uint item = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64;
    if (item >= p.nTokens * p.nHeads * pairs)
        return;
    const uint pair = item % pairs;
    const uint row = item / pairs;  // token · nHeads + head
    const uint token = row / p.nHeads;

    // As the CPU builds it: position · step, · step, … (pow() would round differently at long positions).
    precise float thetaBase = float(positions[token]);
    for (uint i = 0; i < pair; ++i)
        thetaBase *= p.thetaStep;
    precise const float thetaExtrap = p.hasFactors != 0 ? thetaBase / factors[pair] : thetaBase;
    precise const float thetaInterp = p.freqScale * thetaExtrap;
    precise float theta = thetaInterp;
    if (p.extFactor != 0.0) {
        const float ramp = yarnRamp(pair) * p.extFactor;
        theta = thetaInterp * (1.0 - ramp) + thetaExtrap * ramp;
    }
    float s, c;
    sinCos(theta, s, c);
    c *= p.magnitude;
    s *= p.magnitude;

    const uint first = row * p.headDim + (p.neox != 0 ? pair : 2 * pair);
    const uint second = first + (p.neox != 0 ? pairs : 1);
    const float x0 = x[first];
    const float x1 = x[second];
    x[first] = x0 * c - x1 * s;
    x[second] = x0 * s + x1 * c;
}
