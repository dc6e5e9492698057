using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class S7Raters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AwaitingFormulation",
                table: "Participants",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnteredBy",
                table: "FormulationRatings",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            // A participant already pending waits for a consensus rating: before double rating nothing else could decide it.
            migrationBuilder.Sql("UPDATE \"Participants\" SET \"AwaitingFormulation\" = 'Consensus' WHERE \"Status\" = 'FormulationPending'");

            migrationBuilder.CreateTable(
                name: "ReferenceCases",
                columns: table => new
                {
                    TrialId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cognitive = table.Column<int>(type: "INTEGER", nullable: false),
                    Interpersonal = table.Column<int>(type: "INTEGER", nullable: false),
                    Behavioral = table.Column<int>(type: "INTEGER", nullable: false),
                    Environmental = table.Column<int>(type: "INTEGER", nullable: false),
                    Primary = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Material = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceCases", x => new { x.TrialId, x.Code });
                    table.ForeignKey(
                        name: "FK_ReferenceCases_Trials_TrialId",
                        column: x => x.TrialId,
                        principalTable: "Trials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "PracticeRatings",
                columns: table => new
                {
                    TrialId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CaseCode = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Rater = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cognitive = table.Column<int>(type: "INTEGER", nullable: false),
                    Interpersonal = table.Column<int>(type: "INTEGER", nullable: false),
                    Behavioral = table.Column<int>(type: "INTEGER", nullable: false),
                    Environmental = table.Column<int>(type: "INTEGER", nullable: false),
                    Agreed = table.Column<bool>(type: "INTEGER", nullable: false),
                    RatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PracticeRatings", x => new { x.TrialId, x.CaseCode, x.Rater });
                    table.ForeignKey(
                        name: "FK_PracticeRatings_ReferenceCases_TrialId_CaseCode",
                        columns: x => new { x.TrialId, x.CaseCode },
                        principalTable: "ReferenceCases",
                        principalColumns: new[] { "TrialId", "Code" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PracticeRatings_TrialId_Rater",
                table: "PracticeRatings",
                columns: new[] { "TrialId", "Rater" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PracticeRatings");

            migrationBuilder.DropTable(
                name: "ReferenceCases");

            migrationBuilder.DropColumn(
                name: "AwaitingFormulation",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "EnteredBy",
                table: "FormulationRatings");
        }
    }
}
