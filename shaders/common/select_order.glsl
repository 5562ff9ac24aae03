// The total order of logits for selection: higher value first, ties to the lower index. Floats map to
// unsigned keys that compare like the values; −0 counts as +0 and NaN ranks below everything (even −inf),
// so a NaN is chosen only when nothing else is left. Key 0 with index 0xFFFFFFFF is "no element".
#ifndef VELA_SELECT_ORDER_GLSL
#define VELA_SELECT_ORDER_GLSL

#define SELECT_NONE_INDEX 0xFFFFFFFFu

uint orderedKey(float value)
{
    if (isnan(value))
        return 0u;
    if (value == 0.0)
        return 0x80000000u;
    const uint bits = floatBitsToUint(value);
    return (bits & 0x80000000u) != 0u ? ~bits : bits | 0x80000000u;
}

bool ranksBefore(uint keyA, uint indexA, uint keyB, uint indexB)
{
    return keyA > keyB || (keyA == keyB && indexA < indexB);
}

#endif
