-- Decision records are written by one writer per commit and waited for by the requests they
-- answer. A GIN index's pending list (fastupdate) makes most inserts cheap but the one that
-- overflows it merges the whole list, which shows up as a latency spike for the decisions in
-- that commit. Without the pending list the cost is spread evenly over every insert.
ALTER INDEX decision_policies_idx SET (fastupdate = off);
ALTER INDEX decision_impact_idx SET (fastupdate = off);
