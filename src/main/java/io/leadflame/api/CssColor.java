package io.leadflame.api;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The colours a score range may have: the CSS forms people write and every browser draws, i.e.
 * hex with 3, 4, 6 or 8 digits ({@code #888}, {@code #00f8}, {@code #3b82f6}, {@code #3b82f680})
 * and the 148 CSS named colours ({@code navy}, {@code rebeccapurple}), in any letter case. A range
 * keeps its colour as written (DECISIONS.md "Range colours"). Not accepted: functional notations
 * ({@code rgb(…)}, {@code hsl(…)}), {@code transparent} and {@code currentColor} — a chip a sales
 * team cannot see is no range colour.
 */
final class CssColor {

    static final String EXPECTED = "must be a CSS colour: #rgb, #rgba, #rrggbb, #rrggbbaa or a CSS colour name "
            + "like navy";

    private static final Pattern HEX = Pattern.compile("#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})");
    /** CSS Color Module Level 4, "named colors". */
    static final Set<String> NAMES = Set.of(
            "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black",
            "blanchedalmond", "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse",
            "chocolate", "coral", "cornflowerblue", "cornsilk", "crimson", "cyan", "darkblue", "darkcyan",
            "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki", "darkmagenta", "darkolivegreen",
            "darkorange", "darkorchid", "darkred", "darksalmon", "darkseagreen", "darkslateblue",
            "darkslategray", "darkslategrey", "darkturquoise", "darkviolet", "deeppink", "deepskyblue",
            "dimgray", "dimgrey", "dodgerblue", "firebrick", "floralwhite", "forestgreen", "fuchsia",
            "gainsboro", "ghostwhite", "gold", "goldenrod", "gray", "green", "greenyellow", "grey", "honeydew",
            "hotpink", "indianred", "indigo", "ivory", "khaki", "lavender", "lavenderblush", "lawngreen",
            "lemonchiffon", "lightblue", "lightcoral", "lightcyan", "lightgoldenrodyellow", "lightgray",
            "lightgreen", "lightgrey", "lightpink", "lightsalmon", "lightseagreen", "lightskyblue",
            "lightslategray", "lightslategrey", "lightsteelblue", "lightyellow", "lime", "limegreen", "linen",
            "magenta", "maroon", "mediumaquamarine", "mediumblue", "mediumorchid", "mediumpurple",
            "mediumseagreen", "mediumslateblue", "mediumspringgreen", "mediumturquoise", "mediumvioletred",
            "midnightblue", "mintcream", "mistyrose", "moccasin", "navajowhite", "navy", "oldlace", "olive",
            "olivedrab", "orange", "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise",
            "palevioletred", "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple",
            "rebeccapurple", "red", "rosybrown", "royalblue", "saddlebrown", "salmon", "sandybrown",
            "seagreen", "seashell", "sienna", "silver", "skyblue", "slateblue", "slategray", "slategrey",
            "snow", "springgreen", "steelblue", "tan", "teal", "thistle", "tomato", "turquoise", "violet",
            "wheat", "white", "whitesmoke", "yellow", "yellowgreen"
    );

    private CssColor() {
    }

    static boolean isValid(String colour) {
        return HEX.matcher(colour).matches() || NAMES.contains(colour.toLowerCase(Locale.ROOT));
    }
}
