#include "services/firmware-catalog/planner.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace onramp::firmware {

using firmware_version::Version;

namespace {

bool InRange(const Version& version, const UpgradeEdge& edge) {
  return !(version < edge.from_min) && !(edge.from_max < version);
}

// All nodes: the given versions and every edge's target.
std::vector<Version> Nodes(const std::vector<UpgradeEdge>& edges, std::vector<Version> versions) {
  for (const UpgradeEdge& edge : edges) versions.push_back(edge.to);
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  return versions;
}

// Hops away from `target` for every node that can reach it (reverse BFS).
std::map<std::string, int> DistancesTo(const std::vector<UpgradeEdge>& edges,
                                       const std::vector<Version>& nodes, const Version& target) {
  std::map<std::string, int> distance{{target.ToString(), 0}};
  std::deque<Version> queue{target};
  while (!queue.empty()) {
    Version here = queue.front();
    queue.pop_front();
    int next = distance[here.ToString()] + 1;
    for (const UpgradeEdge& edge : edges) {
      if (!(edge.to == here)) continue;
      for (const Version& node : nodes) {
        if (InRange(node, edge) && !distance.contains(node.ToString())) {
          distance[node.ToString()] = next;
          queue.push_back(node);
        }
      }
    }
  }
  return distance;
}

}  // namespace

absl::StatusOr<std::optional<std::vector<Hop>>> PlanPath(const std::vector<UpgradeEdge>& edges,
                                                         const std::vector<Version>& versions,
                                                         const Version& current,
                                                         const Version& target) {
  if (current == target) return std::nullopt;
  std::vector<Version> with_current = versions;
  with_current.push_back(current);
  std::vector<Version> nodes = Nodes(edges, with_current);
  std::map<std::string, int> distance = DistancesTo(edges, nodes, target);
  if (!distance.contains(current.ToString())) {
    return absl::NotFoundError(absl::StrCat("no upgrade path from ", current.ToString(), " to ",
                                            target.ToString()));
  }
  std::vector<Hop> path;
  Version here = current;
  while (!(here == target)) {
    int want = distance[here.ToString()] - 1;
    std::optional<Hop> best;
    for (const UpgradeEdge& edge : edges) {
      if (!InRange(here, edge)) continue;
      auto found = distance.find(edge.to.ToString());
      if (found == distance.end() || found->second != want) continue;
      if (!best || best->to < edge.to || (best->to == edge.to && edge.id < best->edge_id)) {
        best = Hop{edge.to, edge.id};
      }
    }
    path.push_back(*best);
    here = best->to;
  }
  return path;
}

absl::Status CheckNoCycle(const std::vector<UpgradeEdge>& edges,
                          const std::vector<Version>& versions, const UpgradeEdge& edge) {
  std::vector<UpgradeEdge> all = edges;
  all.push_back(edge);
  std::vector<Version> nodes = Nodes(all, versions);
  // A cycle through the new edge: from its target, some node in its source
  // range is reachable again.
  std::set<std::string> seen{edge.to.ToString()};
  std::deque<Version> queue{edge.to};
  while (!queue.empty()) {
    Version here = queue.front();
    queue.pop_front();
    if (InRange(here, edge)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "edge to ", edge.to.ToString(), " would make a loop: ", here.ToString(),
          " reaches it and it reaches ", here.ToString(), " again"));
    }
    for (const UpgradeEdge& next : all) {
      if (!InRange(here, next) || seen.contains(next.to.ToString())) continue;
      seen.insert(next.to.ToString());
      queue.push_back(next.to);
    }
  }
  return absl::OkStatus();
}

}  // namespace onramp::firmware
