using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class S9Sign : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BlindingGuesses",
                columns: table => new
                {
                    ParticipantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Assessor = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    TrialId = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Guess = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: true),
                    GuessedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlindingGuesses", x => new { x.ParticipantId, x.Assessor });
                    table.ForeignKey(
                        name: "FK_BlindingGuesses_Participants_ParticipantId",
                        column: x => x.ParticipantId,
                        principalTable: "Participants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReportSignatures",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReportId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Signer = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Meaning = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    SignedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ContentSha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportSignatures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReportSignatures_Reports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "Reports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Unblindings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TrialId = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    ParticipantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    UnblindedBy = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    UnblindedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Unblindings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Unblindings_Participants_ParticipantId",
                        column: x => x.ParticipantId,
                        principalTable: "Participants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BlindingGuesses_TrialId",
                table: "BlindingGuesses",
                column: "TrialId");

            migrationBuilder.CreateIndex(
                name: "IX_ReportSignatures_ContentSha256",
                table: "ReportSignatures",
                column: "ContentSha256");

            migrationBuilder.CreateIndex(
                name: "IX_ReportSignatures_ReportId_SignedAt",
                table: "ReportSignatures",
                columns: new[] { "ReportId", "SignedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Unblindings_ParticipantId_UnblindedBy",
                table: "Unblindings",
                columns: new[] { "ParticipantId", "UnblindedBy" });

            migrationBuilder.CreateIndex(
                name: "IX_Unblindings_TrialId_UnblindedAt",
                table: "Unblindings",
                columns: new[] { "TrialId", "UnblindedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BlindingGuesses");

            migrationBuilder.DropTable(
                name: "ReportSignatures");

            migrationBuilder.DropTable(
                name: "Unblindings");
        }
    }
}
