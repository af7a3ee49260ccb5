package io.handoff.cli;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help} of every command: its help on standard output, exit code 0. */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this text and exit")
    boolean help;
}
