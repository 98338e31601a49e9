"""The release pipeline: stages, policy, verdicts, the release record, output.

`commands` holds one entry point per CLI command; the stages live in
`packaging` (package, push), `deploying` (deploy, smoke), `promotion`
(promote, rollback) and `release` (all of them in order, plan).
"""
