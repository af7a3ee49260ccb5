package io.handoff.parse;

/** Decimal numbers as the logs write them ({@code 0.014}, {@code 13.642}, {@code 88.42}), without allocating. */
final class Num {
    private Num() {}

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15, 1e16, 1e17, 1e18};

    /**
     * {@code digits[.digits]} (optionally with a leading '-') as a double, or NaN. Up to 15 significant
     * digits the result is exactly what {@link Double#parseDouble} gives (an exact mantissa divided by
     * an exact power of ten rounds correctly); longer numbers fall back to it.
     */
    static double decimal(String s, int from, int to) {
        return decimal(s, from, to, 0);
    }

    /**
     * The decimal times {@code 10^shift} (shift -3..3), computed from the digits so that e.g. 0.057
     * seconds gives exactly 57.0 ms, as {@code Double.parseDouble("57")} would.
     */
    static double decimal(String s, int from, int to, int shift) {
        if (from >= to || to > s.length()) {
            return Double.NaN;
        }
        boolean neg = s.charAt(from) == '-';
        int i = neg ? from + 1 : from;
        long m = 0;
        int digits = 0;
        int scale = 0;
        boolean dot = false;
        boolean any = false;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                any = true;
                if (digits < 18) {
                    m = m * 10 + (c - '0');
                    if (m != 0) {
                        digits++;
                    }
                    if (dot) {
                        scale++;
                    }
                } else {
                    return slow(s, from, to) * Math.pow(10, shift);
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return Double.NaN;
            }
        }
        if (!any) {
            return Double.NaN;
        }
        int e = scale - shift;
        if (digits > 15 || e > 18 || e < -18) {
            return slow(s, from, to) * Math.pow(10, shift);
        }
        double v = e == 0 ? m : e > 0 ? m / POW10[e] : m * POW10[-e];
        return neg ? -v : v;
    }

    private static double slow(String s, int from, int to) {
        try {
            return Double.parseDouble(s.substring(from, to));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
