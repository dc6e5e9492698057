using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Instants become fixed-width UTC text (<c>2026-12-02T00:46:04.1234560Z</c>) so SQLite sorts and compares them in
    /// SQL. The columns stay TEXT; only the values are rewritten, to the tick (audit hashes recompute from them).
    /// </summary>
    public partial class S7SortableInstants : Migration
    {
        private static readonly (string Table, string Column)[] Instants =
        [
            ("ProtocolDocuments", "GeneratedAt"), ("ProtocolDocuments", "RequestedAt"),
            ("Reports", "CreatedAt"), ("Reports", "GeneratedAt"),
            ("Participants", "CompletedAt"), ("Participants", "DeclinedAt"), ("Participants", "RandomizedAt"),
            ("Participants", "ScreenedAt"), ("Participants", "WithdrawnAt"),
            ("Allocations", "RandomizedAt"), ("Trials", "CreatedAt"), ("AuditEvents", "OccurredAt"),
            ("FormulationRatings", "RatedAt"), ("ParticipantEvents", "RecordedAt"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // From EF's default 'yyyy-MM-dd HH:mm:ss[.FFFFFFF]+hh:mm' (trailing zeros trimmed, any offset) to UTC.
            foreach (var (table, column) in Instants)
            {
                var c = $"\"{column}\"";
                var fraction = $"CASE WHEN substr({c}, 20, 1) = '.' THEN substr({c}, 21, length({c}) - 26) ELSE '' END";
                var offset = $"(CASE WHEN substr({c}, -6, 1) = '+' THEN '-' ELSE '+' END) || "
                    + $"(CAST(substr({c}, -5, 2) AS INTEGER) * 60 + CAST(substr({c}, -2, 2) AS INTEGER)) || ' minutes'";
                migrationBuilder.Sql(
                    $"UPDATE \"{table}\" SET {c} = strftime('%Y-%m-%dT%H:%M:%S', substr({c}, 1, 19), {offset}) || '.' || "
                    + $"substr({fraction} || '0000000', 1, 7) || 'Z' WHERE {c} LIKE '____-__-__ %';");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, column) in Instants)
            {
                var c = $"\"{column}\"";
                var fraction = $"rtrim(substr({c}, 21, 7), '0')";
                migrationBuilder.Sql(
                    $"UPDATE \"{table}\" SET {c} = substr({c}, 1, 10) || ' ' || substr({c}, 12, 8) || "
                    + $"CASE WHEN {fraction} = '' THEN '' ELSE '.' || {fraction} END || '+00:00' WHERE {c} LIKE '____-__-__T%Z';");
            }
        }
    }
}
