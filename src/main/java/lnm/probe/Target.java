package lnm.probe;

/**
 * One line of a probe run before it runs: a name and its route, or an outcome already known
 * without dialling (a name this box refuses, a wildcard without a sample name).
 *
 * @param name the name, or the wildcard pattern
 * @param route how it leaves this box; null when {@code decided} is set
 * @param decided the line when nothing is dialled; null otherwise
 */
public record Target(String name, Route route, Outcome decided) {
    public Target {
        if ((route == null) == (decided == null)) {
            throw new IllegalArgumentException("a target has a route or a decided outcome, not both");
        }
    }
}
