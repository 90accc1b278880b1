package dev.tollgate.web;

/** The {@code limit} query parameter of every paged listing (api.md): 1 to 500, 50 when absent. */
public final class PageLimit {

    public static final int DEFAULT = 50;
    public static final int MAX = 500;
    private static final String PROBLEM = "limit is a whole number from 1 to " + MAX;

    private PageLimit() {
    }

    /** The limit the parameter's text asks for (null: the default); anything else is 400. */
    public static int of(String text) {
        if (text == null) {
            return DEFAULT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(PROBLEM);
        }
        if (limit < 1 || limit > MAX) {
            throw ApiException.badRequest(PROBLEM);
        }
        return limit;
    }
}
