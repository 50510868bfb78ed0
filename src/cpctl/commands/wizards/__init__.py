"""The questions asked in a terminal: the conference, core group, plan edit and visit wizards, and what they share.

Lowest first: `prompts` (the questions every wizard asks the same way), `context` (what the store holds, read
once), `drafts` (the answers so far), `people` and `plan` (choosing people, a plan's body), `plan_life` and
`decision` (a plan in force; a child's decision at a conference), then one module a wizard. The wizards import
down to `cpctl.commands.common` and `cpctl.commands.saving`, never up into the commands that run them.
"""
