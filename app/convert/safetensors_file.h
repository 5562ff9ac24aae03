// One safetensors file (Hugging Face's weight format), mapped read-only: an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}, then the raw
// little-endian tensor data, offsets counted from the end of the header.
// Spec: https://github.com/huggingface/safetensors#format
//
// open() validates the whole header before anything is handed out: every tensor's byte range lies inside the
// file and matches its dtype and shape, so a truncated or hostile file gives a Status naming the file and the
// problem, and nothing is ever read outside the mapping.
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

class QFile;

namespace vela {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;            // as written: "F32", "BF16", "I64", …
    std::vector<uint64_t> shape;  // PyTorch order: the last dimension is the contiguous one
    uint64_t begin = 0;           // byte range in the data section (after the header)
    uint64_t end = 0;

    uint64_t elementCount() const;
};

class SafetensorsFile {
public:
    static Result<SafetensorsFile> open(const std::string& path);

    SafetensorsFile(SafetensorsFile&&) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
    ~SafetensorsFile();

    const std::string& path() const { return m_path; }
    // In header order.
    const std::vector<SafetensorsTensor>& tensors() const { return m_tensors; }
    const SafetensorsTensor* find(std::string_view name) const;
    // The tensor's raw bytes inside the mapping; valid while this object lives.
    std::span<const uint8_t> data(const SafetensorsTensor& tensor) const;
    // Values [first, first + out.size()) of an F32, F16 or BF16 tensor (flat, in storage order) as float32,
    // exact for all three; a range past the tensor's end fails. Other dtypes fail with a message naming the
    // tensor and its dtype.
    Status readFloat32(const SafetensorsTensor& tensor, uint64_t first, std::span<float> out) const;

    // The dtypes readFloat32 accepts, for messages.
    static constexpr std::string_view kFloatDtypes = "F32, F16 and BF16";

private:
    SafetensorsFile() = default;
    std::string m_path;
    std::unique_ptr<QFile> m_file;
    std::span<const uint8_t> m_data;  // the data section inside the mapping
    std::vector<SafetensorsTensor> m_tensors;
};

}  // namespace vela
