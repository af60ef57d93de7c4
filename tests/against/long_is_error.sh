#!/bin/sh
# long_is_error.sh — a planted mistake for the campaign's test: etwhf's own
# batch decoder with HEAP_PAYLOAD_LONG raised as an error instead of a warning
# (the rule mutant R9.5.long_error, made without a planted build). A generator
# round of a few hundred file cases holds long payloads, so a campaign must
# find it. ETWHF names the etwhf binary.
"${ETWHF:?}" decode --batch | sed -u -e 's/"severity":"warning","code":"HEAP_PAYLOAD_LONG"/"severity":"error","code":"HEAP_PAYLOAD_LONG"/'
