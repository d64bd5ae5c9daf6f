#ifndef ONRAMP_TOOLS_ONRAMP_API_COMMAND_H_
#define ONRAMP_TOOLS_ONRAMP_API_COMMAND_H_

// `onramp api`: the partner REST API from the command line, as a partner
// uses it (HTTPS, its API key), in the manner of `gh api`:
//
//   onramp api /devices?page_size=5
//   onramp api -X POST /webhooks --data '{"url": "https://..."}'
//   onramp api -X POST '/devices:claim?profile_rule=...' --csv phones.csv
//
// A CSV body (claims, site assignments) goes in chunks of --chunk rows, a
// progress line on stderr after each, and the replies are merged: every
// row's result (numbered as in the file) and the totals.

namespace onramp::cli {

int ApiCommand(int argc, char** argv);

}  // namespace onramp::cli

#endif  // ONRAMP_TOOLS_ONRAMP_API_COMMAND_H_
