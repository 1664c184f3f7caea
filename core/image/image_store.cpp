// image_store.cpp: the images table and the image's blob references, changed together.
#include "image/image_store.hpp"

#include <chrono>

#include "content/local_content_store.hpp"
#include "db/database.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"

namespace dbuild::image {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

StoredImage row_of(db::Statement& statement) {
  StoredImage image;
  image.name = statement.column_text(0);
  image.manifest.digest = *sdk::Digest::parse(statement.column_text(1));
  image.manifest.media_type = statement.column_text(2);
  image.size = statement.column_int64(3);
  image.created = statement.column_int64(4);
  return image;
}

constexpr const char* kColumns = "SELECT name, manifest_digest, media_type, size, created FROM images";

}  // namespace

sdk::Status ImageStore::put(const std::string& name, const sdk::Descriptor& manifest,
                            const std::vector<sdk::Descriptor>& blobs) {
  std::int64_t size = manifest.size;
  for (const auto& blob : blobs) size += blob.size;
  const content::Owner owner{"image", name};
  return db::run_in_transaction(database_, "storing image " + name, [&]() -> sdk::Status {
    auto removed = content_.remove_references(owner);
    if (!removed) return removed.status();
    if (auto status = content_.add_reference(owner, manifest.digest); !status) return status;
    for (const auto& blob : blobs)
      if (auto status = content_.add_reference(owner, blob.digest); !status) return status;
    auto statement = database_.prepare(
        "storing image " + name,
        "INSERT INTO images (name, manifest_digest, media_type, size, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
        " ON CONFLICT (name) DO UPDATE SET manifest_digest = ?2, media_type = ?3, size = ?4, created = ?5, updated = ?5");
    if (!statement) return statement.status();
    if (auto bound = statement->bind_all(name, manifest.digest.str(), manifest.media_type, size, now_seconds()); !bound)
      return bound;
    auto ran = statement->run();
    return ran ? sdk::Status::ok() : ran.status();
  });
}

sdk::Result<StoredImage> ImageStore::get(const std::string& name) {
  auto statement = database_.prepare("reading image " + name, std::string(kColumns) + " WHERE name = ?1");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_text(1, name); !bound) return bound;
  auto step = statement->step();
  if (!step) return step.status();
  if (*step == db::Statement::Step::Done) return sdk::Status::not_found("no such image: " + name);
  auto image = row_of(*statement);
  statement->reset();
  auto size = content_.size(image.manifest.digest);
  image.manifest.size = size ? *size : 0;
  return image;
}

sdk::Result<std::vector<StoredImage>> ImageStore::list() {
  auto statement = database_.prepare("listing images", std::string(kColumns) + " ORDER BY created DESC, name");
  if (!statement) return statement.status();
  std::vector<StoredImage> images;
  while (true) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == db::Statement::Step::Done) break;
    images.push_back(row_of(*statement));
  }
  return images;
}

sdk::Status ImageStore::remove(const std::string& name) {
  return db::run_in_transaction(database_, "removing image " + name, [&]() -> sdk::Status {
    auto statement = database_.prepare("removing image " + name, "DELETE FROM images WHERE name = ?1");
    if (!statement) return statement.status();
    if (auto bound = statement->bind_text(1, name); !bound) return bound;
    auto ran = statement->run();
    if (!ran) return ran.status();
    if (*ran == 0) return sdk::Status::not_found("no such image: " + name);
    auto removed = content_.remove_references({"image", name});
    return removed ? sdk::Status::ok() : removed.status();
  });
}

}  // namespace dbuild::image
