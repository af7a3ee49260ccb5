package io.handoff.cli;

import io.handoff.config.Command;

/** A command that reads settings of the table: its help ends with the keys it reads ({@link KeyHelp}). */
public interface ReadsKeys {
    /** Which column of the table's commands this command is. */
    Command reads();
}
