package lnm.suggest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The top-level fields of one audit line. */
class FlatJsonTest {
    private static final Set<String> W = Set.of("a", "b", "c");

    @Test
    void readsWantedScalarsAndPassesOverTheRest() {
        assertEquals(Map.of("a", "x\"y\\z\n\u00e9", "b", "12", "c", "true"),
                FlatJson.fields(" {\"a\":\"x\\\"y\\\\z\\n\\u00e9\", \"skip\":{\"a\":[1,{\"b\":\"]\"}]}, \"b\":12,\"c\":true,\"d\":null} ", W));
        assertEquals(Map.of(), FlatJson.fields("{\"a\":null,\"b\":[]}", W));
        assertEquals(Map.of(), FlatJson.fields("{}", W));
        assertEquals(Map.of("b", "-1.5e3"), FlatJson.fields("{\"b\":-1.5e3}", W));
    }

    @Test
    void refusesWhatIsNotOneObject() {
        for (String bad : new String[] {"", "[]", "\"a\"", "{", "{\"a\":1", "{\"a\":1}{}", "{\"a\":1}x", "{\"a\" 1}", "{a:1}",
                "{\"a\":\"x\u0001\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u+123\"}", "{\"a\":01}", "{\"a\":tru}",
                "{\"a\":[1}", "{\"a\":{]}", "{\"a\":1,\"a\":2}", "{\"a\":null,\"a\":\"x\"}", "{\"z\":" + "[".repeat(33) + "]".repeat(33) + "}"}) {
            assertNull(FlatJson.fields(bad, W), bad);
        }
        assertEquals(Map.of(), FlatJson.fields("{\"z\":" + "[".repeat(32) + "]".repeat(32) + "}", W));
    }
}
