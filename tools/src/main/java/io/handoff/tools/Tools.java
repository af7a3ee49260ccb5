package io.handoff.tools;

import io.handoff.app.ToolCommands;
import io.handoff.bench.BenchCommand;
import io.handoff.replay.ReplayCommand;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code handoff demo}, {@code handoff replay} and {@code handoff bench}: the commands this module adds to the
 * application's command line (registered in {@code META-INF/services/io.handoff.app.ToolCommands}).
 */
public final class Tools implements ToolCommands {
    @Override
    public List<Object> commands(InputStream in, PrintStream out, PrintStream err) {
        return List.of(new ReplayCommand.Demo(out, err), new ReplayCommand.Replay(out, err), new BenchCommand(out, err));
    }
}
