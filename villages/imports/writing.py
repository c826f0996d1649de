"""Rows written in bulk, for imports (through villages.workflow) and their benches: one prepared statement per row
on SQLite, COPY on PostgreSQL."""

import secrets

from django.db import connection


def row_maker(fields):
    """A function making a row of database values from a dict; only decimals and datetimes need converting
    (once per distinct value: an import writes the same time in every row)."""

    def converter(field):
        converted = {None: None}

        def convert(value):
            if value not in converted:
                converted[value] = field.get_db_prep_save(value, connection)
            return converted[value]

        return convert

    steps = [
        (field.attname, converter(field) if field.get_internal_type() in ("DecimalField", "DateTimeField") else None)
        for field in fields
    ]
    return lambda values: [values[name] if convert is None else convert(values[name]) for name, convert in steps]


def column_spec(field):
    return field.column, field.rel_db_type(connection) if field.is_relation else field.db_type(connection)


def run_bulk(cursor, table, columns, rows, match=0):
    """INSERT rows, or with `match` UPDATE: the last `match` columns select the row, the others are set.

    columns: [(name, database type)]. SQLite runs one prepared statement per row (executemany), in-process.
    PostgreSQL gets the rows by COPY (into a temporary table first for an UPDATE): one round trip, not one
    per row. Returns the number of rows written."""
    quote = connection.ops.quote_name
    names = [quote(name) for name, _type in columns]
    settable = len(columns) - match
    if connection.vendor == "postgresql":
        return copy_rows(table, columns, rows, match)
    if match:
        assignments = ", ".join(f"{name} = %s" for name in names[:settable])
        sql = (
            f"UPDATE {quote(table)} SET {assignments} WHERE {' AND '.join(f'{name} = %s' for name in names[settable:])}"
        )
    else:
        sql = f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
    cursor.executemany(sql, rows)
    return cursor.rowcount


def copy_rows(table, columns, rows, match):
    from psycopg import sql

    connection.ensure_connection()
    names = [sql.Identifier(name) for name, _type in columns]
    with connection.connection.cursor() as cursor:
        if not match:
            with cursor.copy(
                sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(names))
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        data = sql.Identifier(f"import_{secrets.token_hex(6)}")
        aliases = [sql.Identifier(f"c{index}") for index in range(len(columns))]
        definition = sql.SQL(", ").join(
            sql.SQL("{} {}").format(alias, sql.SQL(kind)) for alias, (_name, kind) in zip(aliases, columns)
        )
        cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP").format(data, definition))
        with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(data)) as copy:
            for row in rows:
                copy.write_row(row)
        settable = len(columns) - match
        cursor.execute(
            sql.SQL("UPDATE {} AS target SET {} FROM {} AS data WHERE {}").format(
                sql.Identifier(table),
                sql.SQL(", ").join(
                    sql.SQL("{} = data.{}").format(name, alias) for name, alias in zip(names[:settable], aliases)
                ),
                data,
                sql.SQL(" AND ").join(
                    sql.SQL("target.{} = data.{}").format(name, alias)
                    for name, alias in zip(names[settable:], aliases[settable:])
                ),
            )
        )
        updated = cursor.rowcount
        cursor.execute(sql.SQL("DROP TABLE {}").format(data))
        return updated
