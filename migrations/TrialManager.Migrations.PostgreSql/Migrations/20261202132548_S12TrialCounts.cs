using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class S12TrialCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_Site",
                table: "Participants");

            migrationBuilder.CreateTable(
                name: "ParticipantCounts",
                columns: table => new
                {
                    TrialId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Site = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Participants = table.Column<int>(type: "integer", nullable: false),
                    Randomized = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ParticipantCounts", x => new { x.TrialId, x.Site, x.Status });
                    table.ForeignKey(
                        name: "FK_ParticipantCounts_Trials_TrialId",
                        column: x => x.TrialId,
                        principalTable: "Trials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            // The counts the trial list showed until now (a grouped count per request), taken once from the stored rows;
            // from here on every command moves them (ParticipantCounts.TrackAsync).
            migrationBuilder.Sql("""
                INSERT INTO "ParticipantCounts" ("TrialId", "Site", "Status", "Participants", "Randomized")
                SELECT p."TrialId", p."Site", p."Status", COUNT(*), COUNT(a."ParticipantId")
                FROM "Participants" AS p LEFT JOIN "Allocations" AS a ON a."ParticipantId" = p."Id"
                GROUP BY p."TrialId", p."Site", p."Status";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_Site_ScreenedAt_Id",
                table: "Participants",
                columns: new[] { "TrialId", "Site", "ScreenedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ParticipantCounts");

            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_Site_ScreenedAt_Id",
                table: "Participants");

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_Site",
                table: "Participants",
                columns: new[] { "TrialId", "Site" });
        }
    }
}
