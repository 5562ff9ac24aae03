// Spreads a 1-D range of workgroups over x and y: one dimension allows only maxComputeWorkGroupCount[0]
// groups (65535 on many GPUs), and long vectors need more. Shaders rebuild the flat index from both.
#pragma once

#include <cstdint>

namespace vela::ops {

struct DispatchGrid {
    uint32_t x = 1;
    uint32_t y = 1;
};

inline DispatchGrid gridFor(uint64_t items, uint32_t itemsPerGroup, uint32_t maxGroupsX = 65535)
{
    const uint64_t groups = (items + itemsPerGroup - 1) / itemsPerGroup;
    if (groups <= maxGroupsX)
        return {static_cast<uint32_t>(groups == 0 ? 1 : groups), 1};
    return {maxGroupsX, static_cast<uint32_t>((groups + maxGroupsX - 1) / maxGroupsX)};
}

}  // namespace vela::ops
