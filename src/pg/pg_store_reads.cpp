// The reads of PgStore (pg_store.hpp): one statement each on the reader connection, beside the
// writes; exports page through the rows.
#include <spdlog/spdlog.h>

#include "pg/pg_store.hpp"
#include "pg/store_sql.hpp"

namespace tgkeep::pg {

using namespace sql;  // NOLINT: the statements of this store
using storage::Completion;
using storage::ExportFilter;
using storage::MessageRecord;
using storage::StatusCompletion;
using storage::UpdateRecord;
using storage::UserRecord;

// --- reads ------------------------------------------------------------------------------------

namespace {

// A read of one statement whose rows `parse` turns into the completion's value.
template <class T, class Parse>
PgStore::ReadOp single_read(Statement statement, Completion<T> done, Parse parse) {
  PgStore::ReadOp op;
  op.statement = std::move(statement);
  op.step = [done = std::move(done),
             parse = std::move(parse)](const PgResult<Rows>& rows) -> std::optional<Statement> {
    if (!rows) {
      done(rows.error().to_error());
    } else {
      done(Result<T>(parse(*rows)));
    }
    return std::nullopt;
  };
  return op;
}

}  // namespace

void PgStore::unhandled_updates(std::size_t limit, Completion<std::vector<UpdateRecord>> done) {
  submit_read(single_read<std::vector<UpdateRecord>>(
      plain("SELECT update_id, type, chat_id, json::text FROM raw_updates "
            "WHERE needs_handling AND NOT handled ORDER BY update_id LIMIT $1::int8",
            {limit_of(limit)}),
      std::move(done), [](const Rows& rows) {
        std::vector<UpdateRecord> out;
        for (const auto& r : rows.rows) {
          UpdateRecord u;
          u.update_id = as_int(r[0]);
          u.type = r[1].value_or("");
          u.chat_id = as_opt_int(r[2]);
          u.raw_json = r[3].value_or("");  // "" once the chat was forgotten
          u.needs_handling = true;
          out.push_back(std::move(u));
        }
        return out;
      }));
}

void PgStore::last_update_id(Completion<std::optional<std::int64_t>> done) {
  submit_read(single_read<std::optional<std::int64_t>>(
      plain("SELECT max(update_id) FROM raw_updates"), std::move(done), [](const Rows& rows) {
        std::optional<std::int64_t> out;
        if (!rows.rows.empty()) out = as_opt_int(rows.rows[0][0]);
        return out;
      }));
}

void PgStore::recent_messages(std::int64_t chat_id, std::size_t limit,
                              Completion<std::vector<MessageRecord>> done) {
  // NULL update_ids sort first, as in SQLite.
  submit_read(single_read<std::vector<MessageRecord>>(
      plain(fmt::format("SELECT * FROM ({}WHERE chat_id = $1::int8 ORDER BY update_id DESC "
                        "NULLS LAST, id DESC LIMIT $2::int8) t ORDER BY update_id NULLS FIRST, id",
                        kSelectMessage),
            {num(chat_id), limit_of(limit)}),
      std::move(done), [](const Rows& rows) {
        std::vector<MessageRecord> out;
        for (const auto& r : rows.rows) out.push_back(read_message(r));
        return out;
      }));
}

void PgStore::export_messages(ExportFilter filter, std::function<void(const MessageRecord&)> row,
                              StatusCompletion done) {
  ReadOp op;
  op.statement = export_statement(filter, kMinInt64, kMinInt64);
  op.step = [filter, row = std::move(row),
             done = std::move(done)](const PgResult<Rows>& rows) -> std::optional<Statement> {
    if (!rows) {
      done(rows.error().to_error());
      return std::nullopt;
    }
    std::int64_t last_update_id = kMinInt64;
    std::int64_t last_id = kMinInt64;
    try {
      for (const auto& r : rows->rows) {
        MessageRecord m = read_message(r);
        last_id = as_int(r[0]);
        last_update_id = m.update_id.value_or(kMinInt64);
        row(m);
      }
    } catch (const std::exception& e) {
      done(Error::invalid(fmt::format("exporting messages: {}", e.what())));
      return std::nullopt;
    }
    if (rows->rows.size() < kExportPage) {
      done(Status());
      return std::nullopt;
    }
    return export_statement(filter, last_update_id, last_id);
  };
  submit_read(std::move(op));
}

void PgStore::find_user(std::int64_t user_id, Completion<std::optional<UserRecord>> done) {
  submit_read(single_read<std::optional<UserRecord>>(
      plain("SELECT id, is_bot, username, first_name, last_name, language_code, last_seen, "
            "tariff FROM users WHERE id = $1::int8",
            {num(user_id)}),
      std::move(done), [](const Rows& rows) {
        std::optional<UserRecord> out;
        if (rows.rows.empty()) return out;
        const auto& r = rows.rows[0];
        UserRecord u;
        u.id = as_int(r[0]);
        u.is_bot = as_bool(r[1]);
        u.username = r[2].value_or("");
        u.first_name = r[3].value_or("");
        u.last_name = r[4].value_or("");
        u.language_code = r[5].value_or("");
        u.seen_at = as_int(r[6]);
        u.tariff = r[7].value_or("");
        out = std::move(u);
        return out;
      }));
}

void PgStore::count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to,
                          Completion<std::int64_t> done) {
  submit_read(single_read<std::int64_t>(
      plain("SELECT count(*) FROM usage_events WHERE user_id = $1::int8 AND at >= $2::int8 "
            "AND at < $3::int8",
            {num(user_id), num(from), num(to)}),
      std::move(done), [](const Rows& rows) {
        return rows.rows.empty() ? std::int64_t{0} : as_int(rows.rows[0][0]);
      }));
}

void PgStore::lexicon_texts(Completion<std::vector<storage::LexiconText>> done) {
  submit_read(single_read<std::vector<storage::LexiconText>>(
      plain("SELECT language, key, text FROM lexicon ORDER BY language, key"), std::move(done),
      [](const Rows& rows) {
        std::vector<storage::LexiconText> out;
        for (const auto& r : rows.rows) {
          storage::LexiconText t;
          t.language = r[0].value_or("");
          t.key = r[1].value_or("");
          t.text = r[2].value_or("");
          out.push_back(std::move(t));
        }
        return out;
      }));
}

}  // namespace tgkeep::pg
