using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class S9Safety : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AlertId",
                table: "ParticipantEvents",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Expected",
                table: "ParticipantEvents",
                type: "bit",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "Id",
                table: "ParticipantEvents",
                type: "uniqueidentifier",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "ParticipantEvents",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Relatedness",
                table: "ParticipantEvents",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ResolvedOn",
                table: "ParticipantEvents",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewComment",
                table: "ParticipantEvents",
                type: "nvarchar(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ReviewedAt",
                table: "ParticipantEvents",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewedBy",
                table: "ParticipantEvents",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Serious",
                table: "ParticipantEvents",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Severity",
                table: "ParticipantEvents",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            // Events recorded before ids existed get one each (corrections and reviews name an event by it).
            migrationBuilder.Sql("""UPDATE [ParticipantEvents] SET [Id] = NEWID();""");

            migrationBuilder.CreateIndex(
                name: "IX_ParticipantEvents_Id",
                table: "ParticipantEvents",
                column: "Id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ParticipantEvents_Id",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "AlertId",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Expected",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Id",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Relatedness",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "ResolvedOn",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "ReviewComment",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "ReviewedAt",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "ReviewedBy",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Serious",
                table: "ParticipantEvents");

            migrationBuilder.DropColumn(
                name: "Severity",
                table: "ParticipantEvents");
        }
    }
}
