// Errors cross the engine's public API as values: a Status (ok or a message a user can act on) or a
// Result<T> (a value or a failed Status). No exception leaves the engine.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace vela {

class Status {
public:
    Status() = default;  // success

    static Status success() { return {}; }
    static Status failure(std::string message)
    {
        Status s;
        s.m_ok = false;
        s.m_message = std::move(message);
        return s;
    }

    bool isOk() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    // Empty for a success.
    const std::string& message() const { return m_message; }

private:
    bool m_ok = true;
    std::string m_message;
};

template <class T>
class Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    // `error` must be a failure.
    Result(Status error) : m_status(std::move(error)) { assert(!m_status.isOk()); }

    bool isOk() const { return m_value.has_value(); }
    explicit operator bool() const { return isOk(); }

    const Status& status() const { return m_status; }
    const std::string& message() const { return m_status.message(); }

    T& value() & { return *m_value; }
    const T& value() const& { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }
    T& operator*() & { return *m_value; }
    const T& operator*() const& { return *m_value; }

private:
    std::optional<T> m_value;
    Status m_status;
};

}  // namespace vela
