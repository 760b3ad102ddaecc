"""The registry as an OParl 1.1 API, read-only, under /oparl/v1/ (README, « API OParl »).

It spans apps (bodies, meetings, the exports' pseudonyms and readable rules), so it lives
here, above them: `records` reads, `objects` writes OParl objects, `lists` paginates,
`params` validates the query string, `http` answers (JSON, errors, CORS, validators, rate
limit), `people` makes and resolves a person's identifier in the API, `views` and `urls` tie
them.
"""
