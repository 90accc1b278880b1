package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.Test;

/** The suite's PostgreSQL runs as production does: a commit answered is a commit on disk ("durable means durable"). */
class DurableSettingsIntegrationTests extends IntegrationTest {

    @Test
    void theTestDatabaseFsyncsEveryCommit() throws Exception {
        try (Connection c = DriverManager.getConnection(TestDatabase.get().directJdbcUrl()); Statement s = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                }
            }
        }
    }
}
