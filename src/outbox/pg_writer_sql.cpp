#include "outbox/pg_writer_sql.hpp"

#include <fmt/format.h>

#include "pg/store_sql.hpp"

namespace tgkeep::outbox::writer_sql {
namespace {

// PgStore's rule for a user seen again: names follow the newest sighting (ties: the later one),
// first_seen the least, last_seen the greatest; the tariff is never touched.
std::string newest_sighting_wins() {
  std::string set;
  for (std::string_view column :
       {"is_bot", "username", "first_name", "last_name", "language_code"}) {
    set += fmt::format(
        "{0} = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.{0} ELSE users.{0} "
        "END, ",
        column);
  }
  return set +
         "first_seen = least(users.first_seen, excluded.first_seen), "
         "last_seen = greatest(users.last_seen, excluded.last_seen)";
}

}  // namespace

std::string staged(std::string_view sql, int seg, std::string_view mark, std::string_view stored) {
  static const std::string kNewestSightingWins = newest_sighting_wins();
  const std::string senders = fmt::format(fmt::runtime(kStoreSenders), fmt::arg("stored", stored),
                                          fmt::arg("newest_sighting_wins", kNewestSightingWins));
  return fmt::format(fmt::runtime(sql), fmt::arg("stage", kStage), fmt::arg("seg", seg),
                     fmt::arg("messages", pg::sql::kMessageColumns),
                     fmt::arg("staged_message", kStagedMessage),
                     fmt::arg("senders_of_stored", senders), fmt::arg("mark", mark));
}

}  // namespace tgkeep::outbox::writer_sql
