// Dequantization of ggml weight blocks in registers, one definition per weight type.
// Reference: llama.cpp ggml/src/ggml-common.h (block layouts) and ggml-quants.c (`dequantize_row_*`);
// the packed 16/32-bit loads follow the approach of ggml-vulkan's dequant_funcs.glsl (see
// /work/shared/research/vulkan-kernels.md §1.1, §3).
//
// CONTRACT (for every kernel that reads ggml weights)
//   Before including, define exactly one DATA_A_<TYPE> (F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K
//   Q5_K Q6_K) and DQ_BINDING (the binding of the weight buffer). The weight buffer holds whole blocks in ggml
//   layout starting at the bound offset; "block b" is the b-th block from there, so element k of row r is
//   block r * blocksPerRow + k / DQ_BLOCK_SIZE, position k % DQ_BLOCK_SIZE. For F32/F16/BF16 a block is one
//   element.
//   Provides
//     DQ_BLOCK_SIZE, DQ_BLOCK_BYTES                     elements / bytes per block
//     void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
//         elements inBlock … inBlock+7 of `block`; inBlock must be a multiple of 8. For F32/F16/BF16 this
//         reads the 8 elements block … block+7, and `block` must be a multiple of 8 (16-byte loads).
//     void dequant32(uint block, uint inBlock, out vec4 v[8])
//         as dequant8 for 32 elements (inBlock / float block a multiple of 32 / 8); Q4_K and Q5_K decode their
//         sub-block scale once for all 32, the rest are four dequant8 calls.
//     vec4 dequant4(uint block, uint inBlock)          as dequant8 for 4 elements (inBlock / block % 4 == 0)
//     float dequant1(uint element)                     F32/F16/BF16 only: one element (row tails)
//   Weight buffers are only 2-byte aligned for Q4_0, Q5_0, Q8_0, Q3_K, Q6_K and F16/BF16 (block sizes 18, 22,
//   34, 110, 210, 2), so those read 16-bit words; Q4_1, Q5_1, Q2_K, Q4_K, Q5_K read 32-bit words.
//   Requires GL_EXT_shader_16bit_storage and GL_EXT_shader_8bit_storage (enabled on every Vela device).

#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_8bit_storage : require

#ifndef DQ_BINDING
#error "define DQ_BINDING (the weight buffer's binding) before including dequant.glsl"
#endif

// Every view of the same buffer: plain loads are cheapest through the widest view the alignment allows.
layout(std430, binding = DQ_BINDING) readonly buffer DqBytes { uint8_t dqU8[]; };
layout(std430, binding = DQ_BINDING) readonly buffer DqHalves { uint16_t dqU16[]; };
layout(std430, binding = DQ_BINDING) readonly buffer DqWords { uint dqU32[]; };
layout(std430, binding = DQ_BINDING) readonly buffer DqQuads { uvec4 dqU128[]; };

// ---- load helpers (byte offsets) ----

uint dqByte(uint offset) { return uint(dqU8[offset]); }
uint dqHalf(uint offset) { return uint(dqU16[offset >> 1]); }               // offset even
uint dqWord2(uint offset) { return dqHalf(offset) | (dqHalf(offset + 2) << 16); }  // offset even
uint dqWord4(uint offset) { return dqU32[offset >> 2]; }                     // offset a multiple of 4
float dqF16(uint offset) { return unpackHalf2x16(dqHalf(offset)).x; }

// The four bytes of `w` as floats, lowest byte first.
vec4 dqBytes(uint w) { return vec4(w & 0xFFu, (w >> 8) & 0xFFu, (w >> 16) & 0xFFu, w >> 24); }
vec4 dqSignedBytes(uint w)
{
    const int s = int(w);
    return vec4(bitfieldExtract(s, 0, 8), bitfieldExtract(s, 8, 8), bitfieldExtract(s, 16, 8),
                bitfieldExtract(s, 24, 8));
}
// Bits 0…3 of `bits` moved to bit 4 of bytes 0…3 (the fifth bit of Q5 nibbles).
uint dqSpreadBit4(uint bits)
{
    return ((bits & 1u) << 4) | ((bits & 2u) << 11) | ((bits & 4u) << 18) | ((bits & 8u) << 25);
}

// The 6-bit scale and min of sub-block j (0…7) of a Q4_K / Q5_K block whose 12 scale bytes start at `offset`.
void dqScaleMinK4(uint offset, uint j, out float scale, out float minimum)
{
    if (j < 4) {
        scale = float(dqByte(offset + j) & 63u);
        minimum = float(dqByte(offset + j + 4) & 63u);
    } else {
        const uint b = dqByte(offset + j + 4);
        scale = float((b & 0xFu) | ((dqByte(offset + j - 4) >> 6) << 4));
        minimum = float((b >> 4) | ((dqByte(offset + j) >> 6) << 4));
    }
}

// ---- per type: dequant8(block, inBlock, lo, hi) ----

#if defined(DATA_A_F32)
#define DQ_BLOCK_SIZE 1
#define DQ_BLOCK_BYTES 4
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    lo = uintBitsToFloat(dqU128[block >> 2]);
    hi = uintBitsToFloat(dqU128[(block >> 2) + 1]);
}
float dequant1(uint element) { return uintBitsToFloat(dqU32[element]); }

#elif defined(DATA_A_F16)
#define DQ_BLOCK_SIZE 1
#define DQ_BLOCK_BYTES 2
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uvec4 w = dqU128[block >> 3];
    lo = vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
    hi = vec4(unpackHalf2x16(w.z), unpackHalf2x16(w.w));
}
float dequant1(uint element) { return unpackHalf2x16(uint(dqU16[element])).x; }

#elif defined(DATA_A_BF16)
#define DQ_BLOCK_SIZE 1
#define DQ_BLOCK_BYTES 2
vec2 dqBf16Pair(uint w) { return uintBitsToFloat(uvec2(w << 16, w & 0xFFFF0000u)); }
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uvec4 w = dqU128[block >> 3];
    lo = vec4(dqBf16Pair(w.x), dqBf16Pair(w.y));
    hi = vec4(dqBf16Pair(w.z), dqBf16Pair(w.w));
}
float dequant1(uint element) { return uintBitsToFloat(uint(dqU16[element]) << 16); }

#elif defined(DATA_A_Q4_0)
// d f16 | qs[16]: element j < 16 is the low nibble of qs[j], element j + 16 its high nibble; x = (q − 8)·d.
#define DQ_BLOCK_SIZE 32
#define DQ_BLOCK_BYTES 18
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const float d = dqF16(base);
    const uint q = base + 2 + (inBlock & 15u);
    const uint shift = (inBlock >> 4) * 4;
    lo = (dqBytes((dqWord2(q) >> shift) & 0x0F0F0F0Fu) - 8.0) * d;
    hi = (dqBytes((dqWord2(q + 4) >> shift) & 0x0F0F0F0Fu) - 8.0) * d;
}

#elif defined(DATA_A_Q4_1)
// d f16, m f16 | qs[16]: as Q4_0 with x = q·d + m. 20-byte blocks: 32-bit loads.
#define DQ_BLOCK_SIZE 32
#define DQ_BLOCK_BYTES 20
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint q = base + 4 + (inBlock & 15u);
    const uint shift = (inBlock >> 4) * 4;
    lo = dqBytes((dqWord4(q) >> shift) & 0x0F0F0F0Fu) * dm.x + dm.y;
    hi = dqBytes((dqWord4(q + 4) >> shift) & 0x0F0F0F0Fu) * dm.x + dm.y;
}

#elif defined(DATA_A_Q5_0)
// d f16 | qh u32 (bit j = fifth bit of element j) | qs[16] as Q4_0; x = (q − 16)·d.
#define DQ_BLOCK_SIZE 32
#define DQ_BLOCK_BYTES 22
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const float d = dqF16(base);
    const uint high = dqWord2(base + 2) >> inBlock;
    const uint q = base + 6 + (inBlock & 15u);
    const uint shift = (inBlock >> 4) * 4;
    lo = (dqBytes(((dqWord2(q) >> shift) & 0x0F0F0F0Fu) | dqSpreadBit4(high)) - 16.0) * d;
    hi = (dqBytes(((dqWord2(q + 4) >> shift) & 0x0F0F0F0Fu) | dqSpreadBit4(high >> 4)) - 16.0) * d;
}

#elif defined(DATA_A_Q5_1)
// d f16, m f16 | qh u32 | qs[16]; x = q·d + m with q 5 bits. 24-byte blocks: 32-bit loads.
#define DQ_BLOCK_SIZE 32
#define DQ_BLOCK_BYTES 24
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint high = dqWord4(base + 4) >> inBlock;
    const uint q = base + 8 + (inBlock & 15u);
    const uint shift = (inBlock >> 4) * 4;
    lo = dqBytes(((dqWord4(q) >> shift) & 0x0F0F0F0Fu) | dqSpreadBit4(high)) * dm.x + dm.y;
    hi = dqBytes(((dqWord4(q + 4) >> shift) & 0x0F0F0F0Fu) | dqSpreadBit4(high >> 4)) * dm.x + dm.y;
}

#elif defined(DATA_A_Q8_0)
// d f16 | qs[32] int8; x = q·d.
#define DQ_BLOCK_SIZE 32
#define DQ_BLOCK_BYTES 34
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const float d = dqF16(base);
    const uint q = base + 2 + inBlock;
    lo = dqSignedBytes(dqWord2(q)) * d;
    hi = dqSignedBytes(dqWord2(q + 4)) * d;
}

#elif defined(DATA_A_Q2_K)
// scales[16] (low nibble scale, high nibble min) | qs[64] (2-bit) | d f16 | dmin f16. Element e: half n = e / 128,
// group g = e % 128 / 32 (bit shift 2g), l = e % 32; q = qs[32n + l] >> 2g & 3, sub-block 8n + 2g + l / 16;
// x = d·scale·q − dmin·min. 84-byte blocks: 32-bit loads.
#define DQ_BLOCK_SIZE 256
#define DQ_BLOCK_BYTES 84
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base + 80));
    const uint n = inBlock >> 7, g = (inBlock >> 5) & 3u, l = inBlock & 31u;
    const uint sc = dqByte(base + 8 * n + 2 * g + (l >> 4));
    const float scale = dm.x * float(sc & 0xFu), offset = dm.y * float(sc >> 4);
    const uint q = base + 16 + 32 * n + l;
    lo = dqBytes((dqWord4(q) >> (2 * g)) & 0x03030303u) * scale - offset;
    hi = dqBytes((dqWord4(q + 4) >> (2 * g)) & 0x03030303u) * scale - offset;
}

#elif defined(DATA_A_Q3_K)
// hmask[32] | qs[64] (low 2 bits) | scales[12] (16 six-bit scales biased by 32) | d f16. Element e as Q2_K,
// plus the third bit: bit 4n + g of hmask[l], and q − 4 where it is clear; x = d·(scale − 32)·q.
#define DQ_BLOCK_SIZE 256
#define DQ_BLOCK_BYTES 110
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const float d = dqF16(base + 108);
    const uint n = inBlock >> 7, g = (inBlock >> 5) & 3u, l = inBlock & 31u;
    const uint i = 8 * n + 2 * g + (l >> 4);  // scale index 0…15
    const uint low4 = i < 8 ? dqByte(base + 96 + i) & 0xFu : dqByte(base + 96 + i - 8) >> 4;
    const uint high2 = (dqByte(base + 104 + (i & 3u)) >> (2 * (i >> 2))) & 3u;
    const float scale = d * (float(low4 | (high2 << 4)) - 32.0);
    const uint q = base + 32 + 32 * n + l, h = base + l, hbit = 4 * n + g;
    const uint q0 = ((dqWord2(q) >> (2 * g)) & 0x03030303u) | (((dqWord2(h) >> hbit) & 0x01010101u) << 2);
    const uint q1 = ((dqWord2(q + 4) >> (2 * g)) & 0x03030303u) | (((dqWord2(h + 4) >> hbit) & 0x01010101u) << 2);
    lo = (dqBytes(q0) - 4.0) * scale;
    hi = (dqBytes(q1) - 4.0) * scale;
}

#elif defined(DATA_A_Q4_K)
// d f16, dmin f16 | scales[12] (8 × six-bit scale and min) | qs[128]. 64-element chunk c uses qs[32c … 32c+31]:
// its first 32 elements are low nibbles (sub-block 2c), the next 32 high nibbles (2c+1); x = d·sc·q − dmin·m.
#define DQ_BLOCK_SIZE 256
#define DQ_BLOCK_BYTES 144
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint j = inBlock >> 5;  // sub-block
    float sc, mn;
    dqScaleMinK4(base + 4, j, sc, mn);
    const float scale = dm.x * sc, offset = dm.y * mn;
    const uint q = base + 16 + 32 * (j >> 1) + (inBlock & 31u);
    const uint shift = (j & 1u) * 4;
    lo = dqBytes((dqWord4(q) >> shift) & 0x0F0F0F0Fu) * scale - offset;
    hi = dqBytes((dqWord4(q + 4) >> shift) & 0x0F0F0F0Fu) * scale - offset;
}

#define DQ_HAS_DEQUANT32
// One whole sub-block: its scale and min are decoded once, its 32 nibbles come in two 16-byte loads.
void dequant32(uint block, uint inBlock, out vec4 v[8])
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint j = inBlock >> 5;
    float sc, mn;
    dqScaleMinK4(base + 4, j, sc, mn);
    const float scale = dm.x * sc, offset = dm.y * mn;
    const uint q = (base + 16 + 32 * (j >> 1)) >> 4;  // 16-byte aligned: blocks are 144 bytes
    const uint shift = (j & 1u) * 4;
    const uvec4 a = (dqU128[q] >> shift) & 0x0F0F0F0Fu, b = (dqU128[q + 1] >> shift) & 0x0F0F0F0Fu;
    v[0] = dqBytes(a.x) * scale - offset;
    v[1] = dqBytes(a.y) * scale - offset;
    v[2] = dqBytes(a.z) * scale - offset;
    v[3] = dqBytes(a.w) * scale - offset;
    v[4] = dqBytes(b.x) * scale - offset;
    v[5] = dqBytes(b.y) * scale - offset;
    v[6] = dqBytes(b.z) * scale - offset;
    v[7] = dqBytes(b.w) * scale - offset;
}

#elif defined(DATA_A_Q5_K)
// As Q4_K with qh[32] before qs: the fifth bit of element l of sub-block j is bit j of qh[l % 32].
#define DQ_BLOCK_SIZE 256
#define DQ_BLOCK_BYTES 176
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint j = inBlock >> 5, l = inBlock & 31u;
    float sc, mn;
    dqScaleMinK4(base + 4, j, sc, mn);
    const float scale = dm.x * sc, offset = dm.y * mn;
    const uint q = base + 48 + 32 * (j >> 1) + l, h = base + 16 + l;
    const uint shift = (j & 1u) * 4;
    const uint q0 = ((dqWord4(q) >> shift) & 0x0F0F0F0Fu) | (((dqWord4(h) >> j) & 0x01010101u) << 4);
    const uint q1 = ((dqWord4(q + 4) >> shift) & 0x0F0F0F0Fu) | (((dqWord4(h + 4) >> j) & 0x01010101u) << 4);
    lo = dqBytes(q0) * scale - offset;
    hi = dqBytes(q1) * scale - offset;
}

#define DQ_HAS_DEQUANT32
void dequant32(uint block, uint inBlock, out vec4 v[8])
{
    const uint base = block * DQ_BLOCK_BYTES;
    const vec2 dm = unpackHalf2x16(dqWord4(base));
    const uint j = inBlock >> 5;
    float sc, mn;
    dqScaleMinK4(base + 4, j, sc, mn);
    const float scale = dm.x * sc, offset = dm.y * mn;
    const uint q = (base + 48 + 32 * (j >> 1)) >> 4, h = (base + 16) >> 4;  // 176-byte blocks: 16-byte aligned
    const uint shift = (j & 1u) * 4;
    for (uint half_ = 0; half_ < 2; ++half_) {
        const uvec4 low = (dqU128[q + half_] >> shift) & 0x0F0F0F0Fu;
        const uvec4 high = ((dqU128[h + half_] >> j) & 0x01010101u) << 4;
        const uvec4 w = low | high;
        v[4 * half_] = dqBytes(w.x) * scale - offset;
        v[4 * half_ + 1] = dqBytes(w.y) * scale - offset;
        v[4 * half_ + 2] = dqBytes(w.z) * scale - offset;
        v[4 * half_ + 3] = dqBytes(w.w) * scale - offset;
    }
}

#elif defined(DATA_A_Q6_K)
// ql[128] (low 4 bits) | qh[64] (high 2 bits) | scales[16] int8 | d f16. Element e: half n = e / 128, quarter
// g = e % 128 / 32, l = e % 32: low bits from ql[64n + 32(g & 1) + l] (nibble g / 2), high bits qh[32n + l] >> 2g,
// scale scales[8n + 2g + l / 16]; x = d·scale·(q − 32).
#define DQ_BLOCK_SIZE 256
#define DQ_BLOCK_BYTES 210
void dequant8(uint block, uint inBlock, out vec4 lo, out vec4 hi)
{
    const uint base = block * DQ_BLOCK_BYTES;
    const uint n = inBlock >> 7, g = (inBlock >> 5) & 3u, l = inBlock & 31u;
    const int sc = bitfieldExtract(int(dqByte(base + 192 + 8 * n + 2 * g + (l >> 4))), 0, 8);
    const float scale = dqF16(base + 208) * float(sc);
    const uint ql = base + 64 * n + 32 * (g & 1u) + l, qh = base + 128 + 32 * n + l;
    const uint lowShift = (g >> 1) * 4, highShift = 2 * g;
    const uint q0 = ((dqWord2(ql) >> lowShift) & 0x0F0F0F0Fu) | (((dqWord2(qh) >> highShift) & 0x03030303u) << 4);
    const uint q1 =
        ((dqWord2(ql + 4) >> lowShift) & 0x0F0F0F0Fu) | (((dqWord2(qh + 4) >> highShift) & 0x03030303u) << 4);
    lo = (dqBytes(q0) - 32.0) * scale;
    hi = (dqBytes(q1) - 32.0) * scale;
}

#else
#error "define one DATA_A_<TYPE> before including dequant.glsl"
#endif

#ifndef DQ_HAS_DEQUANT32
void dequant32(uint block, uint inBlock, out vec4 v[8])
{
#if DQ_BLOCK_SIZE == 1
    for (uint i = 0; i < 4; ++i)
        dequant8(block + 8 * i, 0, v[2 * i], v[2 * i + 1]);
#else
    for (uint i = 0; i < 4; ++i)
        dequant8(block, inBlock + 8 * i, v[2 * i], v[2 * i + 1]);
#endif
}
#endif

// Four elements: the half of an 8-element group that holds them (the other half is discarded).
vec4 dequant4(uint block, uint inBlock)
{
    vec4 lo, hi;
#if DQ_BLOCK_SIZE == 1
    dequant8(block & ~7u, 0, lo, hi);
    return (block & 4u) != 0 ? hi : lo;
#else
    dequant8(block, inBlock & ~7u, lo, hi);
    return (inBlock & 4u) != 0 ? hi : lo;
#endif
}
