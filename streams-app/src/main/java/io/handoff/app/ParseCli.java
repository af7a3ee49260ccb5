package io.handoff.app;

import io.handoff.parse.ParseCommand;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/** {@code handoff parse}: the parsers on their own, lines in, JSON out. */
final class ParseCli {
    private ParseCli() {}

    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(ParseCommand.usage());
            return 0;
        }
        return ParseCommand.run(args, in, out, err);
    }
}
