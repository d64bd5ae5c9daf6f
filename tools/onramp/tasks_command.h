#ifndef ONRAMP_TOOLS_ONRAMP_TASKS_COMMAND_H_
#define ONRAMP_TOOLS_ONRAMP_TASKS_COMMAND_H_

// `onramp tasks create|list|get`: TR-069 tasks for a partner's phones,
// through the ACS's gRPC service.

namespace onramp::cli {

// argv[0] is "tasks"; the exit code.
int TasksCommand(int argc, char** argv);

}  // namespace onramp::cli

#endif  // ONRAMP_TOOLS_ONRAMP_TASKS_COMMAND_H_
