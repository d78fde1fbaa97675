// Health: the dependencies the write path depends on, in one place, and their metrics in the
// Prometheus text format:
//   tgkeep_dependency_up{dependency="redis"} 1
//   tgkeep_dependency_changes_total{dependency="redis",to="down"} 2
// Thread-safety: the event loop thread only.
#pragma once

#include <string>

#include "health/dependency.hpp"

namespace tgkeep::health {

struct Health {
  Dependency redis{"redis", "records take the next tier of the write chain"};
  Dependency postgres{"postgres", "the write chain and reads skip it until a probe succeeds"};
  Dependency spool{"spool", "the spool takes no records until a probe write succeeds"};

  // Which dependencies this run has (the metrics list only those).
  bool has_redis = true;
  bool has_postgres = true;

  // The metrics of every dependency, Prometheus text format (HELP and TYPE lines included).
  std::string metrics_text() const;
};

}  // namespace tgkeep::health
