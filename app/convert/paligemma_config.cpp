#include "convert/paligemma_config.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <optional>

namespace vela {
namespace {

struct ConfigError {
    std::string message;
};

QJsonObject readJsonFile(const QDir& folder, const QString& name)
{
    QFile file(folder.filePath(name));
    if (!file.open(QIODevice::ReadOnly))
        throw ConfigError{folder.path().toStdString() + " has no readable " + name.toStdString()};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        throw ConfigError{file.fileName().toStdString() + ": not a JSON object (" + error.errorString().toStdString() +
                          ")"};
    return doc.object();
}

// Typed access to one JSON object of a config file; a value of the wrong kind is an error naming the key.
class JsonFields {
public:
    JsonFields(QJsonObject object, std::string where) : m_object(std::move(object)), m_where(std::move(where)) {}

    bool has(const char* key) const { return m_object.contains(QLatin1String(key)); }

    // A whole number ≥ 1 that fits 32 bits; `fallback` when the key is absent (nullopt: the key is required).
    uint32_t size(const char* key, std::optional<uint32_t> fallback = std::nullopt) const
    {
        if (!has(key)) {
            if (!fallback)
                throw ConfigError{m_where + ": " + key + " is missing"};
            return *fallback;
        }
        const double v = m_object.value(QLatin1String(key)).toDouble(-1);
        if (!(v >= 1) || v > 4294967295.0 || std::floor(v) != v)
            throw ConfigError{m_where + ": " + key + " must be a whole number of at least 1"};
        return static_cast<uint32_t>(v);
    }
    // Token ids may be 0.
    uint32_t id(const char* key, uint32_t fallback) const { return has(key) ? idValue(key) : fallback; }

    double positive(const char* key, double fallback) const
    {
        if (!has(key))
            return fallback;
        const double v = m_object.value(QLatin1String(key)).toDouble(-1);
        if (!(v > 0) || !std::isfinite(v))
            throw ConfigError{m_where + ": " + key + " must be a positive number"};
        return v;
    }
    std::string string(const char* key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_object.value(QLatin1String(key)).isString())
            throw ConfigError{m_where + ": " + key + " must be a string"};
        return m_object.value(QLatin1String(key)).toString().toStdString();
    }
    bool boolean(const char* key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_object.value(QLatin1String(key)).isBool())
            throw ConfigError{m_where + ": " + key + " must be true or false"};
        return m_object.value(QLatin1String(key)).toBool();
    }
    JsonFields object(const char* key) const
    {
        if (has(key) && !m_object.value(QLatin1String(key)).isObject())
            throw ConfigError{m_where + ": " + key + " must be an object"};
        return {m_object.value(QLatin1String(key)).toObject(), m_where + " " + key};
    }
    const QJsonObject& json() const { return m_object; }
    const std::string& where() const { return m_where; }

private:
    uint32_t idValue(const char* key) const
    {
        const double v = m_object.value(QLatin1String(key)).toDouble(-1);
        if (!(v >= 0) || v > 4294967295.0 || std::floor(v) != v)
            throw ConfigError{m_where + ": " + key + " must be a token id"};
        return static_cast<uint32_t>(v);
    }

    QJsonObject m_object;
    std::string m_where;
};

// Refuses what is not a PaliGemma 1 checkpoint before any size is read, so the message names the real cause.
void checkModelTypes(const JsonFields& config, const JsonFields& text, const JsonFields& vision)
{
    const std::string modelType = config.string("model_type", "");
    if (modelType != "paligemma")
        throw ConfigError{"not a PaliGemma checkpoint: config.json has model_type '" + modelType +
                          "' (expected 'paligemma')"};
    const std::string textType = text.string("model_type", "gemma");
    if (textType == "gemma2" || textType == "gemma3")
        throw ConfigError{"PaliGemma 2 checkpoints (text model '" + textType + "') are not supported yet: " +
                          "vela-cli convert handles PaliGemma 1, whose text model is 'gemma'"};
    if (textType != "gemma")
        throw ConfigError{"unsupported PaliGemma text model '" + textType + "' (supported: gemma)"};
    const std::string visionType = vision.string("model_type", "siglip_vision_model");
    if (visionType != "siglip_vision_model")
        throw ConfigError{"unsupported PaliGemma vision model '" + visionType + "' (supported: siglip_vision_model)"};
}

// Both towers use GELU with the tanh approximation (clip.use_gelu; Gemma's gelu_pytorch_tanh).
void checkActivation(const std::string& where, const std::string& activation)
{
    if (activation != "gelu_pytorch_tanh" && activation != "gelu_fast" && activation != "gelu_new" &&
        activation != "gelu")
        throw ConfigError{where + ": activation '" + activation +
                          "' is not supported (the GELU tanh approximation is)"};
}

PaliGemmaTextConfig readText(const JsonFields& config, const JsonFields& text)
{
    PaliGemmaTextConfig t;
    t.hiddenSize = text.size("hidden_size");
    t.layerCount = text.size("num_hidden_layers");
    t.headCount = text.size("num_attention_heads");
    t.feedForwardLength = text.size("intermediate_size");
    // GemmaConfig's defaults for what the released PaliGemma configs leave out.
    t.kvHeadCount = text.size("num_key_value_heads", 16);
    t.headDim = text.size("head_dim", 256);
    t.contextLength = text.size("max_position_embeddings", 8192);
    t.rmsNormEps = text.positive("rms_norm_eps", 1e-6);
    t.ropeTheta = text.positive("rope_theta", 10000.0);
    std::optional<uint32_t> topLevelVocab;
    if (config.has("vocab_size"))
        topLevelVocab = config.size("vocab_size");
    t.vocabSize = text.size("vocab_size", topLevelVocab);
    t.bosId = text.id("bos_token_id", config.id("bos_token_id", 2));
    t.eosId = text.id("eos_token_id", config.id("eos_token_id", 1));
    t.padId = text.id("pad_token_id", config.id("pad_token_id", 0));
    checkActivation(text.where(), text.string("hidden_activation", text.string("hidden_act", "gelu_pytorch_tanh")));
    if (!text.boolean("tie_word_embeddings", true))
        throw ConfigError{text.where() + ": tie_word_embeddings is false; PaliGemma's output projection is the "
                                         "embedding matrix, and a separate one is not supported"};
    if (t.headCount % t.kvHeadCount != 0)
        throw ConfigError{text.where() + ": num_attention_heads " + std::to_string(t.headCount) +
                          " is not a multiple of num_key_value_heads " + std::to_string(t.kvHeadCount)};
    return t;
}

PaliGemmaVisionConfig readVision(const JsonFields& vision)
{
    PaliGemmaVisionConfig v;
    v.hiddenSize = vision.size("hidden_size");
    v.layerCount = vision.size("num_hidden_layers");
    v.headCount = vision.size("num_attention_heads");
    v.feedForwardLength = vision.size("intermediate_size");
    v.patchSize = vision.size("patch_size");
    v.imageSize = vision.size("image_size", 224);  // SiglipVisionConfig's default; the 224 checkpoints omit it
    v.layerNormEps = vision.positive("layer_norm_eps", 1e-6);
    checkActivation(vision.where(), vision.string("hidden_act", "gelu_pytorch_tanh"));
    if (vision.size("num_channels", 3) != 3)
        throw ConfigError{vision.where() + ": num_channels must be 3 (RGB)"};
    if (v.imageSize % v.patchSize != 0)
        throw ConfigError{vision.where() + ": image_size " + std::to_string(v.imageSize) +
                          " is not a multiple of patch_size " + std::to_string(v.patchSize)};
    if (v.hiddenSize % v.headCount != 0)
        throw ConfigError{vision.where() + ": hidden_size " + std::to_string(v.hiddenSize) +
                          " is not a multiple of num_attention_heads " + std::to_string(v.headCount)};
    return v;
}

std::array<float, 3> readTriple(const JsonFields& fields, const char* key, std::array<float, 3> fallback)
{
    if (!fields.has(key))
        return fallback;
    const QJsonValue value = fields.json().value(QLatin1String(key));
    std::array<float, 3> out{};
    const QJsonArray items = value.toArray();
    if (items.size() != 3)
        throw ConfigError{fields.where() + ": " + key + " must hold 3 numbers (R, G, B)"};
    for (int i = 0; i < 3; ++i) {
        if (!items[i].isDouble())
            throw ConfigError{fields.where() + ": " + key + " must hold 3 numbers (R, G, B)"};
        out[i] = static_cast<float>(items[i].toDouble());
    }
    return out;
}

// Mean, std and the resize target; the file is optional (SigLIP's defaults are mean = std = 0.5).
void readPreprocessor(const QDir& folder, PaliGemmaConfig& config)
{
    if (!QFile::exists(folder.filePath("preprocessor_config.json")))
        return;
    const JsonFields pre(readJsonFile(folder, "preprocessor_config.json"), "preprocessor_config.json");
    config.imageMean = readTriple(pre, "image_mean", config.imageMean);
    config.imageStd = readTriple(pre, "image_std", config.imageStd);
    for (float s : config.imageStd) {
        if (!(s > 0))
            throw ConfigError{"preprocessor_config.json: image_std must be positive"};
    }
    const JsonFields size = pre.object("size");
    const uint32_t side = config.vision.imageSize;
    if ((size.has("height") && size.size("height") != side) || (size.has("width") && size.size("width") != side))
        throw ConfigError{"preprocessor_config.json resizes images to " + std::to_string(size.size("width", 0)) +
                          "x" + std::to_string(size.size("height", 0)) + ", but the vision tower takes " +
                          std::to_string(side) + "x" + std::to_string(side)};
}

// add_bos/add_eos and added_tokens_decoder (which ids are special: CONTROL vs USER_DEFINED in the GGUF).
void readTokenizerConfig(const QDir& folder, PaliGemmaConfig& config)
{
    const JsonFields tok(readJsonFile(folder, "tokenizer_config.json"), "tokenizer_config.json");
    config.addBosToken = tok.boolean("add_bos_token", true);
    config.addEosToken = tok.boolean("add_eos_token", false);
    const JsonFields added = tok.object("added_tokens_decoder");
    for (auto it = added.json().begin(); it != added.json().end(); ++it) {
        bool isNumber = false;
        const uint32_t id = it.key().toUInt(&isNumber);
        const QJsonObject entry = it.value().toObject();
        if (!isNumber || !entry.value("content").isString())
            throw ConfigError{"tokenizer_config.json: added_tokens_decoder entry '" + it.key().toStdString() +
                              "' needs a token id and a content string"};
        config.addedTokens.push_back({id, entry.value("content").toString().toStdString(),
                                      entry.value("special").toBool(false)});
    }
}

}  // namespace

Result<PaliGemmaConfig> PaliGemmaConfig::load(const std::string& folderPath)
{
    const QDir folder(QString::fromStdString(folderPath));
    if (!folder.exists())
        return Status::failure("no such folder: " + folderPath);
    if (!QFile::exists(folder.filePath("config.json")))
        return Status::failure(folderPath + " is not a Hugging Face model folder: it has no config.json");
    try {
        const JsonFields root(readJsonFile(folder, "config.json"), "config.json");
        const JsonFields text = root.object("text_config");
        const JsonFields vision = root.object("vision_config");
        checkModelTypes(root, text, vision);
        PaliGemmaConfig config;
        config.text = readText(root, text);
        config.vision = readVision(vision);
        config.projectionDim = root.size("projection_dim", vision.size("projection_dim", config.text.hiddenSize));
        if (config.projectionDim != config.text.hiddenSize)
            throw ConfigError{"config.json: projection_dim " + std::to_string(config.projectionDim) +
                              " differs from the text model's hidden_size " + std::to_string(config.text.hiddenSize)};
        readPreprocessor(folder, config);
        readTokenizerConfig(folder, config);
        return config;
    } catch (const ConfigError& e) {
        return Status::failure(folderPath + ": " + e.message);
    }
}

}  // namespace vela
