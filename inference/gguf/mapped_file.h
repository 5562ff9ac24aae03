// A read-only memory mapping of a whole file (RAII; POSIX mmap).
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vela {

class MappedFile {
public:
    static Result<std::unique_ptr<MappedFile>> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const uint8_t> bytes() const { return {m_data, m_size}; }
    const std::string& path() const { return m_path; }

private:
    MappedFile(std::string path, const uint8_t* data, size_t size);
    std::string m_path;
    const uint8_t* m_data;
    size_t m_size;
};

}  // namespace vela
