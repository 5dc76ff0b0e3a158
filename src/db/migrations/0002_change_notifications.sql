-- Change notifications: every committed write to a cached table sends NOTIFY continuum_changes
-- with the table's name, so that every server process can drop its read caches of that table.
-- NOTIFY is transactional: listeners hear of a change only when (and if) it commits.

create function continuum_notify_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('continuum_changes', tg_table_name);
  return null;
end;
$$;

create trigger communities_notify_change
  after insert or update or delete or truncate on communities
  for each statement execute function continuum_notify_change();

create trigger infrastructures_notify_change
  after insert or update or delete or truncate on infrastructures
  for each statement execute function continuum_notify_change();
