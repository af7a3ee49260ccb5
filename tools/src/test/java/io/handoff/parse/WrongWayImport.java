package io.handoff.parse;

import io.handoff.app.ConfigLoader;
import io.handoff.ship.Formats;

/**
 * A known-bad class for {@code LayersTest}: a class of the parse stage that reaches into the shipper and
 * the commands' configuration loader, two imports the package dependency table forbids.
 */
public final class WrongWayImport {
    private WrongWayImport() {}

    static Formats none() {
        return Formats.NONE;
    }

    static String graceVariable() {
        return ConfigLoader.envName("handoff.grace");
    }
}
