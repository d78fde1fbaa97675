#include "health/health.hpp"

#include <vector>

#include <fmt/format.h>

namespace tgkeep::health {

std::string Health::metrics_text() const {
  std::vector<const Dependency*> all;
  if (has_redis) all.push_back(&redis);
  if (has_postgres) all.push_back(&postgres);
  if (has_postgres) all.push_back(&spool);  // the spool exists for PostgreSQL's outages
  std::string out =
      "# HELP tgkeep_dependency_up Whether tgkeep can write to the dependency (1) or skips it "
      "(0).\n"
      "# TYPE tgkeep_dependency_up gauge\n";
  for (const Dependency* d : all) {
    out +=
        fmt::format("tgkeep_dependency_up{{dependency=\"{}\"}} {}\n", d->name(), d->up() ? 1 : 0);
  }
  out +=
      "# HELP tgkeep_dependency_changes_total State changes of a dependency, by the new state.\n"
      "# TYPE tgkeep_dependency_changes_total counter\n";
  for (const Dependency* d : all) {
    out += fmt::format("tgkeep_dependency_changes_total{{dependency=\"{}\",to=\"down\"}} {}\n",
                       d->name(), d->went_down());
    out += fmt::format("tgkeep_dependency_changes_total{{dependency=\"{}\",to=\"up\"}} {}\n",
                       d->name(), d->came_up());
  }
  return out;
}

}  // namespace tgkeep::health
