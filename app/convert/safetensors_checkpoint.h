// The weights of a Hugging Face model folder: `model.safetensors`, or the shards that
// `model.safetensors.index.json` lists (`model-00001-of-00003.safetensors`, …), or, with no index, every
// `*.safetensors` file in the folder. Each file is mapped and validated by SafetensorsFile.
#pragma once

#include "convert/safetensors_file.h"

#include <string>
#include <vector>

namespace vela {

class SafetensorsCheckpoint {
public:
    static Result<SafetensorsCheckpoint> open(const std::string& folder);

    struct Entry {
        const SafetensorsFile* file;
        const SafetensorsTensor* tensor;
    };
    // Every tensor of every file (file by file, each in data order); pointers valid while this object lives.
    const std::vector<Entry>& entries() const { return m_entries; }

private:
    std::vector<SafetensorsFile> m_files;
    std::vector<Entry> m_entries;
};

}  // namespace vela
