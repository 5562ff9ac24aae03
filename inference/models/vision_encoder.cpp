// SigLIP vision tower and projector on the device. Reference: llama.cpp tools/mtmd/clip.cpp (build_siglip and
// the PROJECTOR_TYPE_GEMMA3 branch); HF SiglipVisionModel, PaliGemmaMultiModalProjector;
// shared/models/vision/PALIGEMMA_GGUF.md §3.
#include "vela/vision_encoder.h"

#include "models/clip_params.h"
#include "models/device_weights.h"
#include "models/model_context.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/kernel_library.h"
#include "ops/kv_cache.h"
#include "ops/matmul.h"
#include "ops/norm.h"
#include "ops/pool.h"
#include "ref/dequantize.h"
#include "vk/command_stream.h"
#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include "vela/model_info.h"

#include <cmath>
#include <cstring>

namespace vela {

VisionEncoder::~VisionEncoder() = default;

namespace models {
namespace {

struct BlockWeights {
    const ops::WeightView *ln1, *ln1Bias, *ln2, *ln2Bias;
    const ops::WeightView *q, *qBias, *k, *kBias, *v, *vBias, *out, *outBias;
    const ops::WeightView *up, *upBias, *down, *downBias;
};

class SiglipEncoder final : public VisionEncoder {
public:
    SiglipEncoder(GgufFile file, ClipParams params, std::unique_ptr<vk::VulkanContext> context)
        : m_file(std::move(file)), m_params(params), m_context(std::move(context))
    {
    }
    ~SiglipEncoder() override { m_kernels.reset(); }

    Status prepare(const LoadOptions& options);

    const ImagePreprocessing& preprocessing() const override { return m_params.preprocessing; }
    uint32_t tokensPerImage() const override { return m_params.tokens(); }
    uint32_t outputLength() const override { return m_params.projectionDim; }
    VisionProjector projector() const override { return m_params.projector; }
    const DeviceDescription& device() const override { return m_context->description(); }
    uint64_t deviceBytes() const override { return m_weights.totalBytes() + m_ownBytes; }
    Result<std::vector<float>> encode(std::span<const float> pixels) override;
    std::vector<std::string> validationErrors() const override
{ return m_context->validationErrors(); }
    std::map<std::string, KernelTime> kernelTimings() const override { return kernelTimesOf(*m_stream); }

private:
    Result<vk::Buffer> make(VkDeviceSize bytes, vk::BufferUsage usage = vk::BufferUsage::DeviceLocal);
    Result<vk::Buffer> deviceFloats(const GgufTensorInfo& tensor, bool transpose);
    Status recordBlock(const BlockWeights& w);
    Status recordProjector();
    Status linear(const ops::WeightView& w, const ops::WeightView* bias, const vk::Buffer& x, const vk::Buffer& y,
                  uint32_t rows);

    GgufFile m_file;
    ClipParams m_params;
    std::unique_ptr<vk::VulkanContext> m_context;  // first of the Vulkan members: destroyed last
    DeviceWeights m_weights;
    std::unique_ptr<ops::KernelLibrary> m_kernels;
    std::optional<vk::CommandStream> m_stream;
    uint64_t m_ownBytes = 0;
    std::vector<BlockWeights> m_blocks;
    ops::WeightView m_patchEmbedding;  // (hidden, 3·patch·patch): the convolution as a matrix
    const ops::WeightView* m_patchBias = nullptr;
    vk::Buffer m_positions;            // (patches, hidden) f32
    ops::WeightView m_projection;      // Gemma 3: mm.input_projection transposed to (text, vision)
    vk::Buffer m_projectionData;
    // Activations of one image.
    vk::Buffer m_patches, m_patchRows, m_x, m_normed, m_q, m_k, m_v, m_keys, m_values, m_attention, m_projected, m_ffn;
    vk::Buffer m_pooled, m_output, m_readback;
};

Result<vk::Buffer> SiglipEncoder::make(VkDeviceSize bytes, vk::BufferUsage usage)
{
    Result<vk::Buffer> buffer = vk::Buffer::create(*m_context, bytes, usage);
    if (buffer)
        m_ownBytes += buffer->size();
    return buffer;
}

// A tensor as f32 in device memory, converted on the host (position embeddings of any float type; the Gemma 3
// projection transposed). Matrices are [ne1][ne0] row-major; `transpose` gives [ne0][ne1]. Goes through a
// host-visible staging buffer: weights read every image must not live across the bus.
Result<vk::Buffer> SiglipEncoder::deviceFloats(const GgufTensorInfo& t, bool transpose)
{
    const int64_t cols = int64_t(t.dims[0]), rows = int64_t(t.elementCount() / t.dims[0]);
    std::vector<float> values(size_t(rows) * cols);
    const size_t rowBytes = t.byteSize / size_t(rows);
    const uint8_t* data = m_file.tensorData(t).data();
    for (int64_t r = 0; r < rows; ++r)
        ref::dequantizeRow(t.type, data + r * rowBytes, values.data() + r * cols, cols);
    const VkDeviceSize bytes = values.size() * sizeof(float);
    Result<vk::Buffer> staging = vk::Buffer::create(*m_context, bytes, vk::BufferUsage::Upload);
    Result<vk::Buffer> buffer = make(bytes);
    if (!staging || !buffer)
        return staging ? buffer.status() : staging.status();
    auto* out = static_cast<float*>(staging->mapped());
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            out[transpose ? c * rows + r : r * cols + c] = values[size_t(r) * cols + c];
    m_stream->copy(*staging, 0, *buffer, 0, bytes);
    VELA_TRY(m_stream->submitAndWait());
    return buffer;
}

Status SiglipEncoder::prepare(const LoadOptions& options)
{
    Result<DeviceWeights> weights = DeviceWeights::upload(*m_context, m_file, options.progress);
    if (!weights)
        return weights.status();
    m_weights = std::move(weights).value();
    m_kernels = std::make_unique<ops::KernelLibrary>(*m_context);
    Result<vk::CommandStream> stream = vk::CommandStream::create(*m_context, options.profile);
    if (!stream)
        return stream.status();
    m_stream.emplace(std::move(stream).value());
    const ClipParams& p = m_params;
    const auto get = [&](const std::string& name) { return m_weights.find(name); };

    // The convolution's kernel [hidden][3][patch][patch] is a (hidden, 3·patch²) matrix over unfolded patches.
    const ops::WeightView* conv = get("v.patch_embd.weight");
    m_patchEmbedding = *conv;
    m_patchEmbedding.rows = p.hidden;
    m_patchEmbedding.cols = 3 * p.patchSize * p.patchSize;
    if (m_patchEmbedding.rowBytes() == 0)
        return Status::failure("v.patch_embd.weight: a " + std::string(ggmlTypeName(conv->type)) +
                               " patch embedding is not supported (rows of 3·patch² values must be whole blocks)");
    m_patchBias = get("v.patch_embd.bias");
    Result<vk::Buffer> positions = deviceFloats(*m_file.findTensor("v.position_embd.weight"), false);
    if (!positions)
        return positions.status();
    m_positions = std::move(positions).value();
    for (uint32_t b = 0; b < p.blocks; ++b) {
        const std::string k = "v.blk." + std::to_string(b) + ".";
        m_blocks.push_back({get(k + "ln1.weight"), get(k + "ln1.bias"), get(k + "ln2.weight"), get(k + "ln2.bias"),
                            get(k + "attn_q.weight"), get(k + "attn_q.bias"), get(k + "attn_k.weight"),
                            get(k + "attn_k.bias"), get(k + "attn_v.weight"), get(k + "attn_v.bias"),
                            get(k + "attn_out.weight"), get(k + "attn_out.bias"), get(k + "ffn_up.weight"),
                            get(k + "ffn_up.bias"), get(k + "ffn_down.weight"), get(k + "ffn_down.bias")});
    }
    if (p.projector == VisionProjector::Gemma3) {
        // HF keeps the projection as (vision, text); as a (text, vision) matrix it runs through matMul.
        Result<vk::Buffer> projection = deviceFloats(*m_file.findTensor("mm.input_projection.weight"), true);
        if (!projection)
            return projection.status();
        m_projectionData = std::move(projection).value();
        m_projection = ops::WeightView{vk::wholeBuffer(m_projectionData), GgmlType::F32, p.projectionDim, p.hidden};
    } else {
        m_projection = *get("mm.0.weight");
    }

    const VkDeviceSize n = p.patches(), f32 = 4, d = p.hidden;
    const std::pair<vk::Buffer*, VkDeviceSize> sizes[] = {
        {&m_patchRows, n * m_patchEmbedding.cols * f32},
        {&m_x, n * d * f32},         {&m_normed, n * d * f32},    {&m_q, n * d * f32},
        {&m_k, n * d * f32},         {&m_v, n * d * f32},         {&m_keys, n * d * 2},
        {&m_values, n * d * 2},      {&m_attention, n * d * f32}, {&m_projected, n * d * f32},
        {&m_ffn, n * p.feedForward * f32}, {&m_pooled, VkDeviceSize(p.tokens()) * d * f32},
        {&m_output, VkDeviceSize(p.tokens()) * p.projectionDim * f32},
    };
    for (const auto& [target, bytes] : sizes) {
        Result<vk::Buffer> buffer = make(bytes);
        if (!buffer)
            return buffer.status();
        *target = std::move(buffer).value();
    }
    Result<vk::Buffer> patches = make(n * m_patchEmbedding.cols * f32, vk::BufferUsage::Upload);
    Result<vk::Buffer> readback = make(VkDeviceSize(p.tokens()) * p.projectionDim * f32, vk::BufferUsage::Readback);
    if (!patches || !readback)
        return patches ? readback.status() : patches.status();
    m_patches = std::move(patches).value();
    m_readback = std::move(readback).value();
    return {};
}

// y = W·x (+ bias) for `rows` rows.
Status SiglipEncoder::linear(const ops::WeightView& w, const ops::WeightView* bias, const vk::Buffer& x,
                             const vk::Buffer& y, uint32_t rows)
{
    VELA_TRY(ops::matMul(*m_kernels, *m_stream, w, vk::wholeBuffer(x), vk::wholeBuffer(y), rows));
    if (bias) {
        m_stream->barrier();
        VELA_TRY(ops::addRows(*m_kernels, *m_stream, vk::wholeBuffer(y), bias->data, vk::wholeBuffer(y), rows,
                              w.rows));
    }
    return {};
}

// x += out(MHA(LN1(x))); x += down(gelu(up(LN2(x)))): full attention, no mask, scale 1/sqrt(head_dim).
Status SiglipEncoder::recordBlock(const BlockWeights& w)
{
    const ClipParams& p = m_params;
    ops::KernelLibrary& kernels = *m_kernels;
    vk::CommandStream& s = *m_stream;
    const auto all = [](const vk::Buffer& b) { return vk::wholeBuffer(b); };
    const uint32_t n = p.patches(), d = p.hidden;
    VELA_TRY(ops::layerNorm(kernels, s, all(m_x), w.ln1->data, w.ln1Bias->data, all(m_normed), n, d, p.eps));
    s.barrier();
    VELA_TRY(linear(*w.q, w.qBias, m_normed, m_q, n));
    VELA_TRY(linear(*w.k, w.kBias, m_normed, m_k, n));
    VELA_TRY(linear(*w.v, w.vBias, m_normed, m_v, n));
    s.barrier();
    VELA_TRY(ops::storeKv(kernels, s, all(m_k), all(m_keys), 0, n, d));
    VELA_TRY(ops::storeKv(kernels, s, all(m_v), all(m_values), 0, n, d));
    s.barrier();
    ops::AttentionParams attention{};
    attention.nTokens = n;
    attention.nKv = n;
    attention.nHead = p.heads;
    attention.nKvHead = p.heads;
    attention.headDim = p.headDim();
    attention.scale = 1.0f / std::sqrt(static_cast<float>(p.headDim()));
    attention.causal = false;
    VELA_TRY(ops::attention(kernels, s, all(m_q), all(m_keys), all(m_values), all(m_attention), attention));
    s.barrier();
    VELA_TRY(linear(*w.out, w.outBias, m_attention, m_projected, n));
    s.barrier();
    VELA_TRY(ops::add(kernels, s, all(m_x), all(m_projected), all(m_x), n * d));
    s.barrier();
    VELA_TRY(ops::layerNorm(kernels, s, all(m_x), w.ln2->data, w.ln2Bias->data, all(m_normed), n, d, p.eps));
    s.barrier();
    VELA_TRY(linear(*w.up, w.upBias, m_normed, m_ffn, n));
    s.barrier();
    VELA_TRY(ops::gelu(kernels, s, all(m_ffn), all(m_ffn), n * p.feedForward));
    s.barrier();
    VELA_TRY(linear(*w.down, w.downBias, m_ffn, m_projected, n));
    s.barrier();
    VELA_TRY(ops::add(kernels, s, all(m_x), all(m_projected), all(m_x), n * d));
    s.barrier();
    return {};
}

// Gemma 3: average pool to tokens() rows, RMSNorm × soft_emb_norm, then the projection; PaliGemma: mm.0.
Status SiglipEncoder::recordProjector()
{
    const ClipParams& p = m_params;
    vk::CommandStream& s = *m_stream;
    const auto all = [](const vk::Buffer& b) { return vk::wholeBuffer(b); };
    if (p.projector == VisionProjector::PaliGemma)
        return linear(m_projection, m_weights.find("mm.0.bias"), m_x, m_output, p.patches());
    VELA_TRY(ops::avgPoolTokens(*m_kernels, s, all(m_x), all(m_pooled), p.patchesPerSide(), p.poolKernel, p.hidden));
    s.barrier();
    VELA_TRY(ops::rmsNorm(*m_kernels, s, all(m_pooled), m_weights.find("mm.soft_emb_norm.weight")->data,
                          all(m_pooled), p.tokens(), p.hidden, p.eps));
    s.barrier();
    return linear(m_projection, nullptr, m_pooled, m_output, p.tokens());
}

Result<std::vector<float>> SiglipEncoder::encode(std::span<const float> pixels)
{
    const ClipParams& p = m_params;
    const uint32_t size = p.preprocessing.imageSize, patch = p.patchSize, side = p.patchesPerSide();
    if (pixels.size() != size_t(3) * size * size)
        return Status::failure("the encoder takes 3×" + std::to_string(size) + "×" + std::to_string(size) +
                               " pixels, got " + std::to_string(pixels.size()) + " values");
    // Unfold: patch (py, px) becomes one row [c][ky][kx], the order of the convolution kernel's values.
    auto* rows = static_cast<float*>(m_patches.mapped());
    const uint32_t width = m_patchEmbedding.cols;
    for (uint32_t py = 0; py < side; ++py)
        for (uint32_t px = 0; px < side; ++px) {
            float* row = rows + size_t(py * side + px) * width;
            for (uint32_t c = 0; c < 3; ++c)
                for (uint32_t ky = 0; ky < patch; ++ky)
                    std::memcpy(row + (c * patch + ky) * patch,
                                pixels.data() + (size_t(c) * size + py * patch + ky) * size + px * patch,
                                patch * sizeof(float));
        }
    const auto all = [](const vk::Buffer& b) { return vk::wholeBuffer(b); };
    vk::CommandStream& s = *m_stream;
    const uint32_t n = p.patches(), d = p.hidden;
    // The unfolded patches cross the bus once; the matmul then reads them from device memory.
    s.copy(m_patches, 0, m_patchRows, 0, VkDeviceSize(n) * width * 4);
    s.barrier();
    VELA_TRY(linear(m_patchEmbedding, m_patchBias, m_patchRows, m_x, n));
    s.barrier();
    VELA_TRY(ops::add(*m_kernels, s, all(m_x), all(m_positions), all(m_x), n * d));
    s.barrier();
    for (const BlockWeights& block : m_blocks)
        VELA_TRY(recordBlock(block));
    VELA_TRY(ops::layerNorm(*m_kernels, s, all(m_x), m_weights.find("v.post_ln.weight")->data,
                            m_weights.find("v.post_ln.bias")->data, all(m_x), n, d, p.eps));
    s.barrier();
    VELA_TRY(recordProjector());
    s.barrier();
    const VkDeviceSize bytes = VkDeviceSize(p.tokens()) * p.projectionDim * 4;
    s.copy(m_output, 0, m_readback, 0, bytes);
    VELA_TRY(s.submitAndWait());
    const auto* out = static_cast<const float*>(m_readback.mapped());
    return std::vector<float>(out, out + size_t(p.tokens()) * p.projectionDim);
}

}  // namespace
}  // namespace models

Result<std::unique_ptr<VisionEncoder>> VisionEncoder::load(const std::string& path, const LoadOptions& options)
{
    Result<GgufFile> file = GgufFile::open(path);
    if (!file)
        return file.status();
    Result<models::ClipParams> params = models::readClipParams(*file);
    if (!params)
        return Status::failure(path + ": " + params.message());
    Result<std::unique_ptr<vk::VulkanContext>> context = models::createModelContext(options);
    if (!context)
        return context.status();
    uint64_t need = 0;
    for (const GgufTensorInfo& t : file->tensors())
        need += t.byteSize;
    const uint64_t free = (*context)->freeDeviceMemory();
    if (need > free)
        return Status::failure(path + ": the vision encoder needs " + formatBytes(need) + " of device memory, but " +
                               (*context)->description().name + " has " + formatBytes(free) + " free");
    auto encoder = std::make_unique<models::SiglipEncoder>(std::move(file).value(), *params, std::move(context).value());
    if (Status s = encoder->prepare(options); !s)
        return Status::failure(s.message() == "loading cancelled" ? s.message() : path + ": " + s.message());
    return std::unique_ptr<VisionEncoder>(std::move(encoder));
}

}  // namespace vela
