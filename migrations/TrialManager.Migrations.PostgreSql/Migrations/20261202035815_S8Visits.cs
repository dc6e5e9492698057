using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class S8Visits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<int>(
                name: "Session",
                table: "Measures",
                type: "integer",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "integer");

            migrationBuilder.AddColumn<string>(
                name: "Visit",
                table: "Measures",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Measures_ParticipantId_Instrument_Visit",
                table: "Measures",
                columns: new[] { "ParticipantId", "Instrument", "Visit" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Measures_ParticipantId_Instrument_Visit",
                table: "Measures");

            migrationBuilder.DropColumn(
                name: "Visit",
                table: "Measures");

            migrationBuilder.AlterColumn<int>(
                name: "Session",
                table: "Measures",
                type: "integer",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "integer",
                oldNullable: true);
        }
    }
}
