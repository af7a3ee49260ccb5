package io.handoff.raw;

import io.handoff.avro.SourceKind;

import java.util.function.Consumer;
import java.util.function.Predicate;

/** The joining rule of each source; see {@link MultilineJoiner}. */
public final class MultilineJoiners {
    private MultilineJoiners() {}

    static MultilineJoiner forKind(SourceKind kind) {
        switch (kind) {
            case NGINX_ERROR:
                return new Assembler(MultilineJoiners::nginxErrorStart, false);
            case PHP_FPM:
                return new FpmWrapJoiner();
            case PHP_FPM_SLOW:
                return new Assembler(MultilineJoiners::slowlogHeader, true);
            case NGINX_ACCESS:
            case PHP_FPM_ACCESS:
            case KERN:
                return new SingleLine();
            default:
                throw new IllegalArgumentException("no joiner for " + kind);
        }
    }

    /** {@code 2019/10/30 23:26:34 [} — a new nginx error entry; anything else continues the previous one. */
    public static boolean nginxErrorStart(String s) {
        return s.length() >= 21 && digits(s, 0, 4) && s.charAt(4) == '/' && digits(s, 5, 7) && s.charAt(7) == '/'
                && digits(s, 8, 10) && s.charAt(10) == ' ' && digits(s, 11, 13) && s.charAt(13) == ':'
                && digits(s, 14, 16) && s.charAt(16) == ':' && digits(s, 17, 19) && s.charAt(19) == ' '
                && s.charAt(20) == '[';
    }

    /** {@code [26-Dec-2025 14:01:22]  [pool www] pid 22031} — the first line of a slowlog entry. */
    public static boolean slowlogHeader(String s) {
        return s.length() > 22 && s.charAt(0) == '[' && digits(s, 1, 3) && s.charAt(3) == '-' && s.charAt(7) == '-'
                && digits(s, 8, 12) && s.charAt(12) == ' ' && s.indexOf("] ", 13) > 0 && s.contains("[pool ");
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Every line is an entry. */
    static final class SingleLine implements MultilineJoiner {
        @Override
        public void accept(String line, long offset, Consumer<Entry> out) {
            if (!line.isEmpty()) {
                out.accept(new Entry(line, offset, 1));
            }
        }

        @Override
        public void flush(Consumer<Entry> out) {}

        @Override
        public boolean pending() {
            return false;
        }
    }

    /**
     * Entries begin at lines that match a start rule; other lines continue the current entry. A
     * continuation line with no entry open becomes an entry of its own (the parser will say why it
     * is not a valid start). With {@code blankEnds}, a blank line closes the entry (slowlog entries
     * are separated by one); otherwise blank lines are kept inside an open entry.
     */
    static final class Assembler implements MultilineJoiner {
        private final Predicate<String> start;
        private final boolean blankEnds;
        private final StringBuilder text = new StringBuilder();
        private long offset = -1;
        private int lines;
        /** Blank lines at the end of the open entry: dropped, with their count, if nothing follows them. */
        private int trailingBlanks;

        Assembler(Predicate<String> start, boolean blankEnds) {
            this.start = start;
            this.blankEnds = blankEnds;
        }

        @Override
        public void accept(String line, long lineOffset, Consumer<Entry> out) {
            if (line.isBlank()) {
                if (blankEnds) {
                    flush(out);
                } else if (lines > 0) {
                    text.append('\n').append(line);
                    lines++;
                    trailingBlanks++;
                }
                return;
            }
            if (start.test(line) || lines == 0) {
                flush(out);
                text.append(line);
                offset = lineOffset;
                lines = 1;
            } else {
                text.append('\n').append(line);
                lines++;
            }
            trailingBlanks = 0;
        }

        @Override
        public void flush(Consumer<Entry> out) {
            if (lines > 0) {
                int end = text.length();
                for (int i = 0; i < trailingBlanks; i++) {
                    end = text.lastIndexOf("\n", end - 1);
                }
                out.accept(new Entry(text.substring(0, end), offset, lines - trailingBlanks));
                text.setLength(0);
                lines = 0;
                trailingBlanks = 0;
                offset = -1;
            }
        }

        @Override
        public boolean pending() {
            return lines > 0;
        }
    }

    /**
     * PHP-FPM master log: one line per entry, except worker output that FPM wrapped onto several
     * lines ({@code child N said into stderr: "…"} chunks of one message, each with the same
     * prefix). A chunk whose quoted text is not closed is continued by the next chunk of the same
     * child.
     */
    static final class FpmWrapJoiner implements MultilineJoiner {
        private final StringBuilder text = new StringBuilder();
        private long offset = -1;
        private int lines;
        private String openChild;

        @Override
        public void accept(String line, long lineOffset, Consumer<Entry> out) {
            if (line.isBlank()) {
                return;
            }
            String child = saidIntoStderrChild(line);
            if (openChild != null && openChild.equals(child)) {
                text.append('\n').append(line);
                lines++;
            } else {
                flush(out);
                text.append(line);
                offset = lineOffset;
                lines = 1;
            }
            openChild = child != null && !closed(line) ? child : null;
            if (openChild == null) {
                flush(out);
            }
        }

        /** {@code "child 23183 said into stderr"} → {@code "23183"}, else null. */
        private static String saidIntoStderrChild(String line) {
            int said = line.indexOf(" said into std");
            if (said < 0) {
                return null;
            }
            int child = line.lastIndexOf("child ", said);
            return child < 0 ? null : line.substring(child + 6, said);
        }

        /** The chunk ends its message: a closing quote, or FPM's ', pipe is closed' suffix. */
        private static boolean closed(String line) {
            return line.endsWith("\"") || line.endsWith("pipe is closed") || line.indexOf(": \"") < 0;
        }

        @Override
        public void flush(Consumer<Entry> out) {
            if (lines > 0) {
                out.accept(new Entry(text.toString(), offset, lines));
                text.setLength(0);
                lines = 0;
                offset = -1;
                openChild = null;
            }
        }

        @Override
        public boolean pending() {
            return lines > 0;
        }
    }
}
