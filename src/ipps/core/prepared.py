"""Querysets compiled to SQL once per process and run again with new parameter values.

Building a queryset and compiling it to SQL costs Django far more than SQLite takes to run it: on
the request hot path (authenticate, scope, act on a request) the compiler was about two thirds of
the CPU. A `Prepared` keeps the queryset as the one definition of the query, compiles it the first
time it is run with values of a given shape, and from then on only swaps the parameters:

    TOKEN = Prepared(lambda digest: ApiToken.objects.usable().filter(digest=digest))
    token = TOKEN.get(digest=hash_token(raw))

The builder is called with stand-in values (sentinels) of the same shape as the real ones — an int,
a str, a list of n ints — and the sentinels' positions among the compiled parameters are
remembered. It is compiled twice with different sentinels, and refused if anything else in the
SQL or its parameters differs between the two (say, a `timezone.now()` the builder read): such a
value would be frozen into every later run. None and booleans are part of the shape (they change
the SQL: `IS NULL`), as is a list's length; each shape is compiled once.

Rows come back as the queryset would give them: model instances (with `select_related` objects and
annotations), dicts for `values()`, tuples or flat values for `values_list()`. Prefetching is not
supported.

On SQLite, the statements go straight to the DB-API connection unless someone records queries
(`DEBUG`, a test's query count) or wraps them (`connection.execute_wrapper`): Django's cursor layers
cost more than SQLite takes to run a short statement. Errors are Django's all the same, and a
transaction that must be rolled back refuses statements as it does through Django.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, models
from django.db.models import QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute

from ipps.core import utc
from ipps.core.sqlite.base import qmark

_counter = itertools.count(1)


# Running statements ---------------------------------------------------------------------------------


def _direct(connection):
    """The DB-API connection, when a statement may skip Django's cursor wrappers."""
    if (
        connection.vendor != "sqlite"
        or connection.force_debug_cursor
        or settings._wrapped.DEBUG  # settings.DEBUG without the lazy object's lookup
        or connection.execute_wrappers
    ):
        return None
    connection.validate_no_broken_transaction()
    if connection.connection is None:
        connection.ensure_connection()
    return connection.connection


def fetch_all(sql: str, params=(), *, using: str = "default") -> list[tuple]:
    """The rows of one statement written with Django's `%s` placeholders."""
    return _fetch_all(connections[using], sql, params)


def _fetch_all(connection, sql: str, params) -> list[tuple]:
    raw = _direct(connection)
    if raw is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with connection.wrap_database_errors:
        return raw.execute(qmark(sql), params).fetchall()


def execute(sql: str, params=(), *, using: str = "default") -> int:
    """Run one statement; the number of rows it changed."""
    connection = connections[using]
    raw = _direct(connection)
    if raw is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    with connection.wrap_database_errors:
        return raw.execute(qmark(sql), params).rowcount


def execute_many(sql: str, rows, *, using: str = "default") -> None:
    """Run one statement for each row of parameters."""
    connection = connections[using]
    raw = _direct(connection)
    if raw is None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    with connection.wrap_database_errors:
        raw.executemany(qmark(sql), rows)


class PreparedQueryError(TypeError):
    """The builder's query cannot be prepared (it reads something other than its parameters)."""


@dataclass
class _Compiled:
    model: Any
    db: str
    sql: str | None  # None: the query can return no rows (an empty IN list)
    params: tuple
    slots: tuple[tuple[int, str, int | None], ...]  # (position, name, index in a list value)
    shape: Callable[[_Compiled, list], list]
    compiler: Any
    names: tuple[str, ...] = ()
    converters: dict = field(default_factory=dict)
    # Model rows: the model's columns, their attribute names, related objects, annotations.
    start: int = 0
    end: int = 0
    init_list: tuple[str, ...] = ()
    make: Callable[[tuple], Any] | None = None
    populators: list = field(default_factory=list)
    annotations: tuple = ()

    def converted(self, rows: list):
        if not self.converters:
            return rows
        return self.compiler.apply_converters(rows, self.converters)


def _shape_key(values: dict[str, Any]) -> tuple:
    key = []
    for name in sorted(values):
        value = values[name]
        if value is None or isinstance(value, bool):
            key.append((name, "const", value))
        elif isinstance(value, int):
            key.append((name, "int"))
        elif isinstance(value, str):
            key.append((name, "str"))
        elif isinstance(value, list | tuple | set | frozenset):
            kinds = {type(v) for v in value}
            if not kinds <= {int}:
                raise PreparedQueryError(f"{name}: only lists of ints can be prepared")
            key.append((name, "list", len(value)))
        else:
            raise PreparedQueryError(f"{name}: {type(value).__name__} values cannot be prepared")
    return tuple(key)


def _sentinels(key: tuple) -> tuple[dict[str, Any], dict[Any, tuple[str, int | None]]]:
    """Stand-in values for one compile and, for each, where it came from."""
    values: dict[str, Any] = {}
    origin: dict[Any, tuple[str, int | None]] = {}
    for name, kind, *rest in key:
        if kind == "const":
            values[name] = rest[0]
        elif kind == "int":
            values[name] = n = -(7_000_000_000_000 + next(_counter))
            origin[n] = (name, None)
        elif kind == "str":
            values[name] = s = f"\x1fprepared:{next(_counter)}\x1f"
            origin[s] = (name, None)
        else:
            items = []
            for index in range(rest[0]):
                n = -(7_000_000_000_000 + next(_counter))
                items.append(n)
                origin[n] = (name, index)
            values[name] = items
    return values, origin


# Model instances ------------------------------------------------------------------------------------
#
# `Model.from_db` calls `Model.__init__`, which sends `pre_init` and `post_init` and stores each value
# with `setattr`, field by field. For the rows of a request's work that was about a tenth of a
# create+resolve cycle over HTTP (15–20 µs an instance, with the caches as cold as a request leaves
# them). For a model on which `__init__` would do nothing else, an instance read back is its values
# by attribute name and its state, written into its `__dict__` at once.


@functools.cache
def _plain(model) -> bool:
    """Whether `Model.from_db` would only store the values: no class of the model defines
    `__init__`, `__new__` or `__setattr__` (other than Django's `Model` and `object`), `from_db` is
    Django's, and each field's attribute is Django's plain one, which a first `setattr` only stores.
    """
    if model.from_db.__func__ is not models.Model.from_db.__func__:
        return False
    for klass in model.__mro__:
        if klass in (models.Model, object):
            continue
        if any(name in vars(klass) for name in ("__init__", "__new__", "__setattr__")):
            return False
    for f in model._meta.concrete_fields:
        descriptor = next(
            (vars(klass)[f.attname] for klass in model.__mro__ if f.attname in vars(klass)), None
        )
        if type(descriptor) not in _PLAIN_ATTRIBUTES:
            return False
    return True


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def row_maker(model, db: str, init_list) -> Callable[[tuple], Any]:
    """`values -> model.from_db(db, init_list, values)`, without `__init__` where it would only
    store the values: every column read (not `only()`/`defer()`), a plain model (`_plain`), and no
    receiver of `pre_init` or `post_init` (checked on each call: one may connect later)."""
    attnames = tuple(f.attname for f in model._meta.concrete_fields)
    init_list = tuple(init_list)
    if init_list != attnames or not _plain(model):
        return functools.partial(model.from_db, db, init_list)
    from_db, new = model.from_db, object.__new__
    pre_init, post_init = signals.pre_init, signals.post_init

    def make(values):
        if pre_init.receivers or post_init.receivers:
            return from_db(db, init_list, values)
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        fields = obj.__dict__
        fields["_state"] = state
        fields.update(zip(attnames, values, strict=True))
        return obj

    return make


@dataclass(frozen=True)
class _Blank:
    """What `Model.__init__` gives the fields not passed to it, worked out once per model."""

    constants: dict[str, Any]  # attname -> the default every instance shares (None, "" …)
    factories: tuple[tuple[str, str, Callable[[], Any]], ...]  # (attname, name, get_default)
    attnames: frozenset[str]
    relations: frozenset[str]  # names of forward relations, which take a related object


_SHARED_DEFAULTS = (models.Field.get_default, models.ForeignKey.get_default)
_IMMUTABLE = (str, int, float)  # bool is an int; choices are str or int


@functools.cache
def _blank(model) -> _Blank:
    constants, factories = {}, []
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    for f in fields:
        shared = type(f).get_default in _SHARED_DEFAULTS and not f.has_db_default()
        if shared and (not f.has_default() or isinstance(f.default, _IMMUTABLE)):
            constants[f.attname] = f.get_default()  # None, "", "new", 0 … shared, as by Django
        else:
            factories.append((f.attname, f.name, f.get_default))
    return _Blank(
        constants=constants,
        factories=tuple(factories),
        attnames=frozenset(f.attname for f in fields),
        relations=frozenset(f.name for f in fields if f.is_relation),
    )


def build(model, /, **values):
    """`model(**values)` for a new row, without `__init__` where it would only store the values
    (see `row_maker`): values by attribute name (`unit_id=…`) or a related object by its field's
    name (`unit=…`, assigned through Django's descriptor, which checks it); the other fields take
    their defaults, a callable default called only for a field not given. Anything else (a
    property, a name that is no field) goes to `model(**values)`, which sets or refuses it."""
    if not _plain(model) or signals.pre_init.receivers or signals.post_init.receivers:
        return model(**values)
    blank = _blank(model)
    attnames, relations = blank.attnames, blank.relations
    if not all(name in attnames or name in relations for name in values):
        return model(**values)
    obj = object.__new__(model)
    fields = obj.__dict__
    fields["_state"] = ModelState()
    fields.update(blank.constants)
    for attname, name, get_default in blank.factories:
        if attname not in values and name not in values:
            fields[attname] = get_default()
    for name, value in values.items():
        if name in attnames:
            fields[name] = value
        else:
            setattr(obj, name, value)
    return obj


class _Populator:
    """Django's `RelatedPopulator` (one object of `select_related`), its instances made by
    `row_maker`."""

    def __init__(self, django_populator):
        p = django_populator
        self.columns = p.reorder_for_init or operator.itemgetter(slice(p.cols_start, p.cols_end))
        self.pk_idx = p.pk_idx
        self.make = row_maker(p.model_cls, p.db, p.init_list)
        self.related = [_Populator(r) for r in p.related_populators]
        self.local_setter, self.remote_setter = p.local_setter, p.remote_setter

    def populate(self, row, from_obj) -> None:
        values = self.columns(row)
        if values[self.pk_idx] is None:
            obj = None
        else:
            obj = self.make(values)
            for related in self.related:
                related.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


def _model_rows(compiled: _Compiled, rows: list) -> list:
    make, start, end = compiled.make, compiled.start, compiled.end
    populators, annotations = compiled.populators, compiled.annotations
    objects = []
    for row in compiled.converted(rows):
        obj = make(row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects


def _dict_rows(compiled: _Compiled, rows: list) -> list:
    names = compiled.names
    return [dict(zip(names, row, strict=True)) for row in compiled.converted(rows)]


def _tuple_rows(compiled: _Compiled, rows: list) -> list:
    return [tuple(row) for row in compiled.converted(rows)]


def _flat_rows(compiled: _Compiled, rows: list) -> list:
    return [row[0] for row in compiled.converted(rows)]


_SHAPES = {
    ModelIterable: _model_rows,
    ValuesIterable: _dict_rows,
    ValuesListIterable: _tuple_rows,
    FlatValuesListIterable: _flat_rows,
}


def _compile_once(build: Callable[..., QuerySet], key: tuple):
    values, origin = _sentinels(key)
    qs = build(**values)
    if not isinstance(qs, QuerySet):
        raise PreparedQueryError("the builder must return a queryset")
    if qs._prefetch_related_lookups or qs._known_related_objects:
        raise PreparedQueryError("prefetching and related managers cannot be prepared")
    shape = _SHAPES.get(qs._iterable_class)
    if shape is None:
        raise PreparedQueryError(f"{qs._iterable_class.__name__} rows cannot be prepared")
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    slots = tuple(
        (position, *origin[param])
        for position, param in enumerate(params)
        if isinstance(param, int | str) and not isinstance(param, bool) and param in origin
    )
    query = qs.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    constant = tuple(p for p, param in enumerate(params) if not any(slot[0] == p for slot in slots))
    compiled = _Compiled(
        model=qs.model,
        db=qs.db,
        sql=sql,
        params=tuple(params),
        slots=slots,
        shape=shape,
        compiler=compiler,
        names=names,
    )
    if sql is not None:
        select = compiler.select
        compiled.converters = compiler.get_converters([c[0] for c in select[: compiler.col_count]])
        if shape is _model_rows:
            klass_info = compiler.klass_info
            compiled.start = klass_info["select_fields"][0]
            compiled.end = klass_info["select_fields"][-1] + 1
            compiled.init_list = tuple(
                c[0].target.attname for c in select[compiled.start : compiled.end]
            )
            compiled.make = row_maker(compiled.model, qs.db, compiled.init_list)
            compiled.populators = [
                _Populator(p) for p in get_related_populators(klass_info, select, qs.db)
            ]
            compiled.annotations = tuple(compiler.annotation_col_map.items())
    return compiled, constant


class Prepared:
    """A queryset built by `build(**values)`, compiled once per shape of the values."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def _compiled_for(self, values: dict[str, Any], connection=None) -> _Compiled:
        # Every query of ours goes to the default database; its vendor decides the SQL.
        if connection is None:
            connection = connections["default"]
        key = _shape_key(values)
        alias_key = ((connection.alias, connection.vendor), key)
        compiled = self._compiled.get(alias_key)
        if compiled is None:
            compiled, constant = _compile_once(self.build, key)
            again, constant_again = _compile_once(self.build, key)
            if (
                compiled.sql != again.sql
                or [p for i, p in enumerate(compiled.params) if i in constant]
                != [p for i, p in enumerate(again.params) if i in constant_again]
                or [s[0] for s in compiled.slots] != [s[0] for s in again.slots]
            ):
                raise PreparedQueryError(
                    "the query changes from one compile to the next: the builder reads a value "
                    "other than its parameters (a time, a setting), which would be frozen into "
                    "every run"
                )
            expected = {(name, None) for name, kind, *rest in key if kind in ("int", "str")} | {
                (name, i) for name, kind, *rest in key if kind == "list" for i in range(rest[0])
            }
            found = {(name, index) for _pos, name, index in compiled.slots}
            if compiled.sql is not None and found != expected:
                raise PreparedQueryError(
                    f"parameters not found in the compiled query: {sorted(expected - found)}"
                )
            self._compiled[alias_key] = compiled
        return compiled

    def all(self, **values: Any) -> list:
        connection = connections["default"]
        compiled = self._compiled_for(values, connection)
        if compiled.sql is None:
            return []
        params = list(compiled.params)
        lists = {
            n: list(v) for n, v in values.items() if isinstance(v, list | tuple | set | frozenset)
        }
        for position, name, index in compiled.slots:
            params[position] = values[name] if index is None else lists[name][index]
        if compiled.db != connection.alias:
            connection = connections[compiled.db]
        rows = _fetch_all(connection, compiled.sql, params)
        return compiled.shape(compiled, rows) if rows else []

    def first(self, **values: Any):
        rows = self.all(**values)
        return rows[0] if rows else None

    def get(self, **values: Any):
        """The one row, or the model's DoesNotExist (MultipleObjectsReturned for more)."""
        rows = self.all(**values)
        if len(rows) == 1:
            return rows[0]
        model = self._model(values)
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching {values} does not exist")
        raise model.MultipleObjectsReturned(f"{len(rows)} rows match {values}")

    def _model(self, values):
        return self._compiled_for(values).model


# Writes --------------------------------------------------------------------------------------------

_WRITES: dict[tuple, tuple[str, tuple]] = {}


_TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.URLField,
)
_INT_FIELDS = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
)


def _value_converter(model_field, connection) -> Callable[[Any], Any]:
    """`field.get_db_prep_save(value, connection)`, with shortcuts on SQLite for the values that
    it passes through unchanged (a str for a text column, an int for an integer or a key, a bool)
    or turns into text (an aware datetime in UTC, a date, a dict or list as JSON). Anything else
    takes Django's own conversion."""

    def django(value):
        return model_field.get_db_prep_save(value, connection)

    if connection.vendor != "sqlite":
        return django
    relation = model_field.is_relation and (model_field.many_to_one or model_field.one_to_one)
    target = model_field.target_field if relation else model_field
    kind = type(target)
    if kind in _TEXT_FIELDS:

        def text(value):
            return value if value is None or type(value) is str else django(value)

        return text
    if kind in _INT_FIELDS:

        def integer(value):
            return value if value is None or type(value) is int else django(value)

        return integer
    if kind is models.BooleanField:

        def boolean(value):
            return value if type(value) is bool else django(value)

        return boolean
    if kind is models.DateField:

        def day(value):
            return value.isoformat() if type(value) is dt.date else django(value)

        return day
    if kind is models.JSONField:
        encoder = model_field.encoder

        def document(value):
            # What JSONField.get_db_prep_save comes to for a dict or a list (adapt_json_value).
            return json.dumps(value, cls=encoder) if type(value) in (dict, list) else django(value)

        return document
    if kind is models.DateTimeField and settings.USE_TZ:
        zone = connection.timezone

        def moment(value):
            if type(value) is dt.datetime and value.utcoffset() is not None:
                if zone is dt.UTC:
                    return str(utc.naive(value))
                return str(value.astimezone(zone).replace(tzinfo=None))
            return django(value)

        return moment
    return django


def _column_writers(fields, connection, *, add: bool = True) -> tuple:
    """For each field: how to read its value from an object (`pre_save`, or the attribute where
    the field's class does nothing more) and how to convert it for the database."""
    writers = []
    for model_field in fields:
        if type(model_field).pre_save is models.Field.pre_save:
            read = operator.attrgetter(model_field.attname)
        else:
            read = functools.partial(_pre_save, model_field, add)
        writers.append((read, _value_converter(model_field, connection)))
    return tuple(writers)


def _pre_save(model_field, add, obj):
    return model_field.pre_save(obj, add)


def _fast_path_open(model, connection) -> bool:
    meta = model._meta
    return (
        connection.features.can_return_columns_from_insert
        and not meta.parents
        and not signals.pre_save.has_listeners(model)
        and not signals.post_save.has_listeners(model)
    )


def insert(obj):
    """`obj.save()` for a new row, with the INSERT's SQL built once per model: the same values
    are written (defaults, `auto_now`, each field's own conversion) and the new id is set.

    Falls back to `save()` for what the fast path does not cover: a model with signal receivers
    or a parent table, a value that is an expression, a database without INSERT … RETURNING.
    """
    model = type(obj)
    connection = connections["default"]
    if obj.pk is not None or not _fast_path_open(model, connection):
        obj.save()
        return obj
    key = ("insert", model, connection.alias, connection.vendor)
    cached = _WRITES.get(key)
    if cached is None:
        meta = model._meta
        fields = tuple(
            f for f in meta.local_concrete_fields if f is not meta.pk and not f.generated
        )
        quote = connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)  # names from the model
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608
        cached = _WRITES[key] = (sql, _column_writers(fields, connection))
    sql, writers = cached
    obj._prepare_related_fields_for_save(operation_name="save")  # as save() does
    values = [read(obj) for read, _convert in writers]
    if any(hasattr(v, "resolve_expression") for v in values):
        obj.save()
        return obj
    params = [convert(v) for (_read, convert), v in zip(writers, values, strict=True)]
    ((pk,),) = _fetch_all(connection, sql, params)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def update(obj, field_names) -> None:
    """`obj.save(update_fields=field_names)`, with each statement's SQL built once: writes those
    fields (and `auto_now` ones named among them) of the row with obj's id."""
    model = type(obj)
    connection = connections["default"]
    if obj.pk is None or not _fast_path_open(model, connection):
        obj.save(update_fields=field_names)
        return
    meta = model._meta
    names = tuple(dict.fromkeys(field_names))
    key = ("update", model, names, connection.alias, connection.vendor)
    cached = _WRITES.get(key)
    if cached is None:
        fields = tuple(meta.get_field(name) for name in names)
        quote = connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)  # names from the model
        columns = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608
        cached = _WRITES[key] = (sql, fields, _column_writers(fields, connection, add=False))
    sql, fields, writers = cached
    values = [read(obj) for read, _convert in writers]
    if any(hasattr(v, "resolve_expression") for v in values):
        obj.save(update_fields=field_names)
        return
    params = [convert(v) for (_read, convert), v in zip(writers, values, strict=True)]
    if execute(sql, [*params, obj.pk]) == 0:
        raise DatabaseError("Save with update_fields did not affect any rows.")
