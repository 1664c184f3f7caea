// definition_json.cpp: the JSON forms of a Definition. Each op type's fields are listed once
// (the *_fields functions) and walked by an encoder, a decoder and a reference remapper, so the
// forms cannot drift apart.
#include <dbuild/sdk/definition_json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

namespace dbuild::sdk {
namespace {

using json = nlohmann::json;
using RefWriter = std::function<json(OpIndex)>;

// A decoding error with the path to the offending field; turned into a Status at the API edge.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& message) { throw DecodeError(message); }

template <class E>
struct EnumName {
  E value;
  const char* name;
};

constexpr EnumName<SourceKind> kSourceKinds[] = {{SourceKind::Image, "image"},
                                                 {SourceKind::Local, "local"},
                                                 {SourceKind::OciLayout, "oci-layout"},
                                                 {SourceKind::Git, "git"},
                                                 {SourceKind::Http, "http"}};
constexpr EnumName<MountType> kMountTypes[] = {{MountType::Bind, "bind"},
                                               {MountType::Cache, "cache"},
                                               {MountType::Tmpfs, "tmpfs"},
                                               {MountType::Secret, "secret"},
                                               {MountType::Ssh, "ssh"}};
constexpr EnumName<CacheSharing> kSharings[] = {
    {CacheSharing::Shared, "shared"}, {CacheSharing::Private, "private"}, {CacheSharing::Locked, "locked"}};
constexpr EnumName<NetworkMode> kNetworks[] = {
    {NetworkMode::Default, "default"}, {NetworkMode::None, "none"}, {NetworkMode::Host, "host"}};
constexpr EnumName<SecurityMode> kSecurities[] = {{SecurityMode::Sandbox, "sandbox"},
                                                  {SecurityMode::Insecure, "insecure"}};

template <class E, std::size_t N>
const char* name_of(const EnumName<E> (&table)[N], E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

template <class E, std::size_t N>
E value_of(const EnumName<E> (&table)[N], const json& text, const std::string& where) {
  if (!text.is_string()) fail(where + ": expected a string");
  std::string known;
  for (const auto& entry : table) {
    if (text.get<std::string>() == entry.name) return entry.value;
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  }
  fail(where + ": unknown value \"" + text.get<std::string>() + "\" (known: " + known + ")");
}

// ---- field lists: one per struct, walked by every visitor below ----

template <class V>
void fields(V& v, SourceOp*) {
  v.field("kind", &SourceOp::kind, kSourceKinds);
  v.field("identifier", &SourceOp::identifier);
  v.field("platform", &SourceOp::platform);
  v.field("include_patterns", &SourceOp::include_patterns);
  v.field("exclude_patterns", &SourceOp::exclude_patterns);
  v.field("attributes", &SourceOp::attributes);
}

template <class V>
void fields(V& v, Mount*) {
  v.field("type", &Mount::type, kMountTypes);
  v.field("target", &Mount::target);
  v.ref("source", &Mount::source);
  v.field("selector", &Mount::selector);
  v.field("readonly", &Mount::readonly);
  v.field("cache_id", &Mount::cache_id);
  v.field("sharing", &Mount::sharing, kSharings);
  v.field("secret_id", &Mount::secret_id);
  v.field("required", &Mount::required);
  v.field("uid", &Mount::uid);
  v.field("gid", &Mount::gid);
  v.field("mode", &Mount::mode);
  v.field("size", &Mount::size);
}

template <class V>
void fields(V& v, ExecOp*) {
  v.ref("root", &ExecOp::root);
  v.field("args", &ExecOp::args);
  v.field("env", &ExecOp::env);
  v.field("cwd", &ExecOp::cwd);
  v.field("user", &ExecOp::user);
  v.field("mounts", &ExecOp::mounts);
  v.field("network", &ExecOp::network, kNetworks);
  v.field("security", &ExecOp::security, kSecurities);
  v.field("readonly_rootfs", &ExecOp::readonly_rootfs);
  v.field("hostname", &ExecOp::hostname);
  v.field("extra_hosts", &ExecOp::extra_hosts);
}

template <class V>
void fields(V& v, Ownership*) {
  v.field("user", &Ownership::user);
  v.field("group", &Ownership::group);
}

template <class V>
void fields(V& v, CopyAction*) {
  v.ref("source", &CopyAction::source);
  v.field("src", &CopyAction::src);
  v.field("dest", &CopyAction::dest);
  v.field("chown", &CopyAction::chown);
  v.field("chmod", &CopyAction::chmod);
  v.field("follow_symlinks", &CopyAction::follow_symlinks);
  v.field("copy_dir_contents", &CopyAction::copy_dir_contents);
  v.field("create_dest_path", &CopyAction::create_dest_path);
  v.field("allow_wildcard", &CopyAction::allow_wildcard);
  v.field("allow_empty_wildcard", &CopyAction::allow_empty_wildcard);
  v.field("unpack_archives", &CopyAction::unpack_archives);
  v.field("parents", &CopyAction::parents);
  v.field("include_patterns", &CopyAction::include_patterns);
  v.field("exclude_patterns", &CopyAction::exclude_patterns);
  v.field("timestamp", &CopyAction::timestamp);
}

template <class V>
void fields(V& v, MkdirAction*) {
  v.field("path", &MkdirAction::path);
  v.field("mode", &MkdirAction::mode);
  v.field("make_parents", &MkdirAction::make_parents);
  v.field("chown", &MkdirAction::chown);
  v.field("timestamp", &MkdirAction::timestamp);
}

template <class V>
void fields(V& v, MkfileAction*) {
  v.field("path", &MkfileAction::path);
  v.field("mode", &MkfileAction::mode);
  v.field("data", &MkfileAction::data);
  v.field("chown", &MkfileAction::chown);
  v.field("timestamp", &MkfileAction::timestamp);
}

template <class V>
void fields(V& v, RmAction*) {
  v.field("path", &RmAction::path);
  v.field("allow_not_found", &RmAction::allow_not_found);
  v.field("allow_wildcard", &RmAction::allow_wildcard);
}

template <class V>
void fields(V& v, SymlinkAction*) {
  v.field("target", &SymlinkAction::target);
  v.field("path", &SymlinkAction::path);
  v.field("chown", &SymlinkAction::chown);
  v.field("timestamp", &SymlinkAction::timestamp);
}

template <class V>
void fields(V& v, FileOp*) {
  v.ref("base", &FileOp::base);
  v.field("actions", &FileOp::actions);
}

template <class V>
void fields(V& v, MergeOp*) {
  v.ref("inputs", &MergeOp::inputs);
}

template <class V>
void fields(V& v, DiffOp*) {
  v.ref("lower", &DiffOp::lower);
  v.ref("upper", &DiffOp::upper);
}

constexpr const char* kActionNames[] = {"copy", "mkdir", "mkfile", "rm", "symlink"};

// ---- encoding ----

json encode_value(const RefWriter& ref, const FileAction& action);
template <class S>
json encode_struct(const S& value, const RefWriter& ref);

template <class T>
json encode_value(const RefWriter&, const T& value) {
  return value;
}
json encode_value(const RefWriter&, const std::optional<Platform>& value) { return value->str(); }
json encode_value(const RefWriter& ref, const std::optional<Ownership>& value) { return encode_struct(*value, ref); }
json encode_value(const RefWriter&, const std::optional<std::int64_t>& value) { return *value; }
json encode_value(const RefWriter& ref, const Mount& value) { return encode_struct(value, ref); }
template <class T>
json encode_value(const RefWriter& ref, const std::vector<T>& values) {
  json out = json::array();
  for (const auto& value : values) out.push_back(encode_value(ref, value));
  return out;
}
json encode_value(const RefWriter& ref, const FileAction& action) {
  json out = json::object();
  std::visit([&](const auto& typed) { out[kActionNames[action.index()]] = encode_struct(typed, ref); }, action);
  return out;
}

// Writes every field that differs from its default, so that adding a field later leaves the
// canonical form (and so every op digest and cache key) of existing ops unchanged.
template <class S>
class Encoder {
 public:
  Encoder(const S& value, const RefWriter& ref) : value_(value), ref_(ref) {}

  template <class T>
  void field(const char* name, T S::*member) {
    if (value_.*member == defaults_.*member) return;
    out_[name] = encode_value(ref_, value_.*member);
  }
  template <class E, std::size_t N>
  void field(const char* name, E S::*member, const EnumName<E> (&table)[N]) {
    if (value_.*member != defaults_.*member) out_[name] = name_of(table, value_.*member);
  }
  void ref(const char* name, std::optional<OpIndex> S::*member) {
    if (value_.*member) out_[name] = ref_(*(value_.*member));
  }
  void ref(const char* name, OpIndex S::*member) { out_[name] = ref_(value_.*member); }
  void ref(const char* name, std::vector<OpIndex> S::*member) {
    json refs = json::array();
    for (OpIndex index : value_.*member) refs.push_back(ref_(index));
    out_[name] = std::move(refs);
  }
  json take() { return std::move(out_); }

 private:
  const S& value_;
  const RefWriter& ref_;
  S defaults_{};
  json out_ = json::object();
};

template <class S>
json encode_struct(const S& value, const RefWriter& ref) {
  Encoder<S> encoder(value, ref);
  fields(encoder, static_cast<S*>(nullptr));
  return encoder.take();
}

json encode_op(const Op& op, const RefWriter& ref) {
  json out = json::object();
  std::visit([&](const auto& typed) { out[op_kind_name(op)] = encode_struct(typed, ref); }, op);
  return out;
}

// ---- decoding (references come back as positions in the file; see remap_refs) ----

using RefReader = std::function<OpIndex(const json&, const std::string& where)>;

template <class S>
S decode_struct(const json& in, const RefReader& ref, const std::string& where);

template <class T>
void decode_value(const json& in, T& out, const RefReader&, const std::string& where) {
  try {
    out = in.get<T>();
  } catch (const json::exception&) {
    fail(where + ": wrong type (" + std::string(in.type_name()) + ")");
  }
}
void decode_value(const json& in, std::optional<Platform>& out, const RefReader&, const std::string& where) {
  if (!in.is_string()) fail(where + ": expected a platform string");
  auto platform = Platform::parse(in.get<std::string>());
  if (!platform) fail(where + ": " + platform.status().message());
  out = *platform;
}
void decode_value(const json& in, std::optional<Ownership>& out, const RefReader& ref, const std::string& where) {
  out = decode_struct<Ownership>(in, ref, where);
}
void decode_value(const json& in, std::optional<std::int64_t>& out, const RefReader&, const std::string& where) {
  if (!in.is_number_integer()) fail(where + ": expected an integer");
  out = in.get<std::int64_t>();
}
void decode_value(const json& in, Mount& out, const RefReader& ref, const std::string& where) {
  out = decode_struct<Mount>(in, ref, where);
}
void decode_value(const json& in, FileAction& out, const RefReader& ref, const std::string& where);
template <class T>
void decode_value(const json& in, std::vector<T>& out, const RefReader& ref, const std::string& where) {
  if (!in.is_array()) fail(where + ": expected an array");
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    T value{};
    decode_value(in[i], value, ref, where + "[" + std::to_string(i) + "]");
    out.push_back(std::move(value));
  }
}
void decode_value(const json& in, std::vector<std::string>& out, const RefReader&, const std::string& where) {
  if (!in.is_array()) fail(where + ": expected an array of strings");
  out.clear();
  for (const auto& item : in) {
    if (!item.is_string()) fail(where + ": expected an array of strings");
    out.push_back(item.get<std::string>());
  }
}

template <class S>
class Decoder {
 public:
  Decoder(const json& in, const RefReader& ref, std::string where) : in_(in), ref_(ref), where_(std::move(where)) {
    if (!in_.is_object()) fail(where_ + ": expected an object");
  }

  template <class T>
  void field(const char* name, T S::*member) {
    if (const auto* item = take(name)) decode_value(*item, value_.*member, ref_, where_ + "." + name);
  }
  template <class E, std::size_t N>
  void field(const char* name, E S::*member, const EnumName<E> (&table)[N]) {
    if (const auto* item = take(name)) value_.*member = value_of(table, *item, where_ + "." + name);
  }
  void ref(const char* name, std::optional<OpIndex> S::*member) {
    if (const auto* item = take(name)) value_.*member = ref_(*item, where_ + "." + name);
  }
  void ref(const char* name, OpIndex S::*member) {
    const auto* item = take(name);
    if (!item) fail(where_ + ": missing field \"" + name + "\"");
    value_.*member = ref_(*item, where_ + "." + name);
  }
  void ref(const char* name, std::vector<OpIndex> S::*member) {
    const auto* item = take(name);
    if (!item) return;
    if (!item->is_array()) fail(where_ + "." + name + ": expected an array of op ids");
    for (const auto& one : *item) (value_.*member).push_back(ref_(one, where_ + "." + name));
  }
  S finish() {
    for (const auto& [key, item] : in_.items())
      if (!seen_.count(key)) fail(where_ + ": unknown field \"" + key + "\"");
    return std::move(value_);
  }

 private:
  const json* take(const char* name) {
    seen_.insert(name);
    auto found = in_.find(name);
    return found == in_.end() ? nullptr : &*found;
  }

  const json& in_;
  const RefReader& ref_;
  std::string where_;
  S value_{};
  std::set<std::string> seen_;
};

template <class S>
S decode_struct(const json& in, const RefReader& ref, const std::string& where) {
  Decoder<S> decoder(in, ref, where);
  fields(decoder, static_cast<S*>(nullptr));
  return decoder.finish();
}

template <std::size_t I = 0>
FileAction decode_action(const std::string& kind, const json& in, const RefReader& ref, const std::string& where) {
  if constexpr (I == std::variant_size_v<FileAction>) {
    fail(where + ": unknown action \"" + kind + "\" (known: copy, mkdir, mkfile, rm, symlink)");
  } else {
    if (kind == kActionNames[I])
      return decode_struct<std::variant_alternative_t<I, FileAction>>(in, ref, where + "." + kind);
    return decode_action<I + 1>(kind, in, ref, where);
  }
}

void decode_value(const json& in, FileAction& out, const RefReader& ref, const std::string& where) {
  if (!in.is_object() || in.size() != 1) fail(where + ": expected an object with one action");
  out = decode_action(in.begin().key(), in.begin().value(), ref, where);
}

template <std::size_t I = 0>
Op decode_op_body(const std::string& kind, const json& in, const RefReader& ref, const std::string& where) {
  constexpr const char* kKinds[] = {"source", "exec", "file", "merge", "diff"};
  if constexpr (I == std::variant_size_v<Op>) {
    fail(where + ": unknown op kind \"" + kind + "\" (known: source, exec, file, merge, diff)");
  } else {
    if (kind == kKinds[I]) return decode_struct<std::variant_alternative_t<I, Op>>(in, ref, where + ": " + kind);
    return decode_op_body<I + 1>(kind, in, ref, where);
  }
}

// ---- remapping references after the topological sort ----

template <class S>
void remap_struct(S& value, const std::vector<OpIndex>& order);

class Remapper {
 public:
  explicit Remapper(const std::vector<OpIndex>& order) : order_(order) {}
  void remap(OpIndex& index) const { index = order_[index]; }

 protected:
  const std::vector<OpIndex>& order_;
};

template <class S>
class StructRemapper : Remapper {
 public:
  StructRemapper(S& value, const std::vector<OpIndex>& order) : Remapper(order), value_(value) {}
  template <class T>
  void field(const char*, T S::*member) {
    if constexpr (std::is_same_v<T, std::vector<Mount>>) {
      for (auto& mount : value_.*member) remap_struct(mount, order_);
    } else if constexpr (std::is_same_v<T, std::vector<FileAction>>) {
      for (auto& action : value_.*member) std::visit([&](auto& typed) { remap_struct(typed, order_); }, action);
    }
  }
  template <class E, std::size_t N>
  void field(const char*, E S::*, const EnumName<E> (&)[N]) {}
  void ref(const char*, std::optional<OpIndex> S::*member) {
    if (value_.*member) remap(*(value_.*member));
  }
  void ref(const char*, OpIndex S::*member) { remap(value_.*member); }
  void ref(const char*, std::vector<OpIndex> S::*member) {
    for (auto& index : value_.*member) remap(index);
  }

 private:
  S& value_;
};

template <class S>
void remap_struct(S& value, const std::vector<OpIndex>& order) {
  StructRemapper<S> remapper(value, order);
  fields(remapper, static_cast<S*>(nullptr));
}

// Orders ops so that inputs come first; reports a cycle by the ids on it.
std::vector<std::size_t> topological_order(const std::vector<std::vector<OpIndex>>& inputs,
                                           const std::vector<std::string>& ids) {
  enum class Mark { None, Visiting, Done };
  std::vector<Mark> marks(inputs.size(), Mark::None);
  std::vector<std::size_t> order, stack;
  std::function<void(std::size_t)> visit = [&](std::size_t node) {
    if (marks[node] == Mark::Done) return;
    if (marks[node] == Mark::Visiting) {
      std::string cycle;
      auto start = std::find(stack.begin(), stack.end(), node);
      for (auto it = start; it != stack.end(); ++it) cycle += ids[*it] + " -> ";
      fail("cycle: " + cycle + ids[node]);
    }
    marks[node] = Mark::Visiting;
    stack.push_back(node);
    for (OpIndex input : inputs[node]) visit(input);
    stack.pop_back();
    marks[node] = Mark::Done;
    order.push_back(node);
  };
  for (std::size_t node = 0; node < inputs.size(); ++node) visit(node);
  return order;
}

struct ParsedOp {
  Op op;
  OpMetadata metadata;
};

OpMetadata decode_metadata(const json& item, const std::string& where) {
  OpMetadata metadata;
  if (auto found = item.find("description"); found != item.end()) {
    if (!found->is_string()) fail(where + ".description: expected a string");
    metadata.description = found->get<std::string>();
  }
  if (auto found = item.find("ignore_cache"); found != item.end()) {
    if (!found->is_boolean()) fail(where + ".ignore_cache: expected true or false");
    metadata.ignore_cache = found->get<bool>();
  }
  if (auto found = item.find("location"); found != item.end()) {
    SourceLocation location;
    if (!found->is_object() || !found->contains("file") || !(*found)["file"].is_string())
      fail(where + ".location: expected {\"file\": ..., \"line\": N}");
    location.file = (*found)["file"].get<std::string>();
    location.line = found->value("line", 0);
    location.end_line = found->value("end_line", location.line);
    metadata.location = location;
  }
  return metadata;
}

Definition parse_definition(const json& doc) {
  if (!doc.is_object()) fail("expected a JSON object");
  for (const auto& [key, value] : doc.items())
    if (key != "version" && key != "ops" && key != "output") fail("unknown field \"" + key + "\"");
  if (doc.value("version", 1) != 1) fail("unsupported version " + doc["version"].dump() + " (this dbuild reads 1)");
  if (!doc.contains("ops") || !doc["ops"].is_array()) fail("missing \"ops\" array");
  const auto& items = doc["ops"];

  std::vector<std::string> ids;
  std::map<std::string, OpIndex> position_of;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() || item["id"].get<std::string>().empty())
      fail("ops[" + std::to_string(i) + "]: every op needs a non-empty string \"id\"");
    auto id = item["id"].get<std::string>();
    if (!position_of.emplace(id, static_cast<OpIndex>(i)).second) fail("op id \"" + id + "\" is used twice");
    ids.push_back(id);
  }

  std::vector<ParsedOp> parsed;
  std::vector<std::vector<OpIndex>> inputs;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string where = "op \"" + ids[i] + "\"";
    RefReader ref = [&](const json& value, const std::string& field) -> OpIndex {
      if (!value.is_string()) fail(field + ": expected an op id");
      auto found = position_of.find(value.get<std::string>());
      if (found == position_of.end()) fail(field + ": input \"" + value.get<std::string>() + "\" is not defined");
      return found->second;
    };
    std::string kind;
    for (const auto& [key, value] : item.items()) {
      if (key == "id" || key == "description" || key == "location" || key == "ignore_cache") continue;
      if (!kind.empty()) fail(where + ": has both \"" + kind + "\" and \"" + key + "\"");
      kind = key;
    }
    if (kind.empty()) fail(where + ": missing the op (source, exec, file, merge or diff)");
    Op op = decode_op_body(kind, item[kind], ref, where);
    inputs.push_back(op_inputs(op));
    parsed.push_back({std::move(op), decode_metadata(item, where)});
  }

  auto order = topological_order(inputs, ids);
  std::vector<OpIndex> new_index(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) new_index[order[i]] = static_cast<OpIndex>(i);

  Definition definition;
  for (std::size_t old : order) {
    auto& entry = parsed[old];
    std::visit([&](auto& typed) { remap_struct(typed, new_index); }, entry.op);
    auto added = definition.try_add(std::move(entry.op), std::move(entry.metadata));
    if (!added) fail(added.status().message());
  }
  if (doc.contains("output")) {
    const auto& output = doc["output"];
    if (!output.is_string() || !position_of.count(output.get<std::string>()))
      fail("output: \"" + (output.is_string() ? output.get<std::string>() : output.dump()) + "\" is not an op id");
    definition.output = new_index[position_of[output.get<std::string>()]];
  }
  return definition;
}

}  // namespace

Result<Definition> definition_from_json(std::string_view text, std::string_view origin) {
  const std::string prefix = std::string(origin) + ": ";
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& error) {
    return Status::invalid_argument(prefix + "not valid JSON: " + error.what());
  }
  try {
    return parse_definition(doc);
  } catch (const DecodeError& error) {
    return Status::invalid_argument(prefix + error.what());
  }
}

std::string definition_to_json(const Definition& definition) {
  auto id = [](OpIndex index) { return "op" + std::to_string(index); };
  RefWriter ref = [&](OpIndex index) -> json { return id(index); };
  json ops = json::array();
  for (OpIndex index = 0; index < definition.size(); ++index) {
    const auto& node = definition.node(index);
    json item = encode_op(node.op, ref);
    item["id"] = id(index);
    if (!node.metadata.description.empty()) item["description"] = node.metadata.description;
    if (node.metadata.ignore_cache) item["ignore_cache"] = true;
    if (const auto& location = node.metadata.location)
      item["location"] = {{"file", location->file}, {"line", location->line}, {"end_line", location->end_line}};
    ops.push_back(std::move(item));
  }
  json doc = {{"version", 1}, {"ops", std::move(ops)}};
  if (definition.output) doc["output"] = id(*definition.output);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string canonical_op_json(const Op& op, const std::function<std::string(OpIndex)>& input_key) {
  RefWriter ref = [&](OpIndex index) -> json { return input_key(index); };
  // Invalid UTF-8 (rare: args are normally text) is replaced rather than refused, so any op
  // has a canonical form.
  return encode_op(op, ref).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace dbuild::sdk
