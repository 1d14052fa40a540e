/*
 * core/policy/suppress.h - suppressions: which failing findings are muted.
 *
 * The store hands the engine its suppressions as a JSON array (format in
 * docs/policy-engine.md). A suppression matches a finding when every field
 * it gives matches (rule glob, provider, account, region glob, resource uid
 * regex, tag conditions with "all" or "any"). A matching FAIL finding
 * becomes MUTED; an expired suppression never mutes, and the engine warns
 * once per expired suppression that would have matched.
 */
#ifndef PP_CORE_POLICY_SUPPRESS_H
#define PP_CORE_POLICY_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

#include <parapet/records.h>

typedef struct pe_suppressions pe_suppressions;

/* Caps: suppressions in one list, bytes of one pattern. */
#define PE_SUPP_MAX 100000
#define PE_SUPP_PATTERN_MAX 4096

/*
 * pe_suppressions_parse - parse the store's JSON array @json (NULL or ""
 * gives an empty list). Resource patterns are compiled with the CEL
 * engine's linear-time regex. Returns the list (release with
 * pe_suppressions_free), or NULL with "suppressions[3] (id 7): resource:
 * bad regex ..." in @err.
 */
pe_suppressions *pe_suppressions_parse(const char *json, char *err, size_t errlen);

/* pe_suppressions_free - release @s (NULL is fine). */
void pe_suppressions_free(pe_suppressions *s);

/* pe_suppressions_count - number of suppressions in @s. */
size_t pe_suppressions_count(const pe_suppressions *s);

/*
 * pe_suppressions_match - the id of the first active suppression matching
 * a finding of rule @rule_id on resource @r (its tags are read from
 * r->tags_json), or -1 when none does. An expired suppression that would
 * have matched is reported once per list with a warning in the core log.
 * A suppression is expired when the store says so ("expired": true) or its
 * expires_at is at or before @now (the scan time, Unix seconds).
 * Safe to call from several threads at once.
 */
int64_t pe_suppressions_match(pe_suppressions *s, const char *rule_id, const pp_resource *r, int64_t now);

#endif
