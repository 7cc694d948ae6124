import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;

/**
 * What a BI tool reads of a schema's documentation through Trino's JDBC driver: DatabaseMetaData.getTables
 * and getColumns, with their REMARKS, and the table comments a tool queries from
 * system.metadata.table_comments (Trino leaves getTables' REMARKS empty). Prints one JSON object per line,
 * for the integration test that runs it with `java -cp trino-jdbc.jar Remarks.java <url> <user> <catalog> <schema>`.
 */
public class Remarks {
    public static void main(String[] args) throws Exception {
        String url = args[0], catalog = args[2], schema = args[3];
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        try (Connection connection = DriverManager.getConnection(url, props)) {
            DatabaseMetaData meta = connection.getMetaData();
            // The schema name is a LIKE pattern: escape its _ and %, as a careful tool does.
            String escape = meta.getSearchStringEscape();
            String pattern = schema.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
            try (ResultSet tables = meta.getTables(catalog, pattern, "%", null)) {
                while (tables.next()) {
                    System.out.println("{\"kind\":\"table\",\"table\":" + json(tables.getString("TABLE_NAME"))
                            + ",\"type\":" + json(tables.getString("TABLE_TYPE"))
                            + ",\"remarks\":" + json(tables.getString("REMARKS")) + "}");
                }
            }
            try (ResultSet columns = meta.getColumns(catalog, pattern, "%", "%")) {
                while (columns.next()) {
                    System.out.println("{\"kind\":\"column\",\"table\":" + json(columns.getString("TABLE_NAME"))
                            + ",\"column\":" + json(columns.getString("COLUMN_NAME"))
                            + ",\"remarks\":" + json(columns.getString("REMARKS")) + "}");
                }
            }
            String sql = "SELECT table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name = ?";
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, catalog);
                statement.setString(2, schema);
                try (ResultSet comments = statement.executeQuery()) {
                    while (comments.next()) {
                        System.out.println("{\"kind\":\"table_comment\",\"table\":" + json(comments.getString(1))
                                + ",\"remarks\":" + json(comments.getString(2)) + "}");
                    }
                }
            }
        }
    }

    private static String json(String value) {
        if (value == null) return "null";
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
