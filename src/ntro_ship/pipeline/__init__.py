"""The release pipeline: stages, policy, verdicts, the release record, output.

`commands` holds one entry point per CLI command. The stages live in
`packaging` (package), `pushing` (push), `deploying` (deploy), `smoking`
(smoke), `promotion` (promote, rollback) and `release` (all of them in
order, and the plan); `record` is the release record, `waits` and `policy`
the polling and verdicts, `report` the stdout and GitHub output.
"""
