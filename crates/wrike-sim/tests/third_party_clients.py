"""Drives two Wrike clients published by others (py-wrike-v4, WrikePy) against weft sim,
unchanged, given only its API URL and a permanent token. Exits non-zero on any mismatch."""
import sys

from py_wrike_v4 import Wrike as PyWrikeV4
from WrikePy import Wrike as WrikePyClient, Tasks, Contacts, FoldersProjects, Workflows

api, token = sys.argv[1], sys.argv[2]

# py-wrike-v4: wants the base URL with a trailing slash; reads through its caches.
v4 = PyWrikeV4(api + "/", token)
contacts = v4.query_contacts_all()["data"]
assert any(c["type"] == "Person" for c in contacts), contacts[:1]
me = v4.query_contact_me()["data"]
assert len(me) == 1 and me[0].get("me") is True, me
assert v4.workflows and v4.custom_statuses, "workflows and statuses"
folders = v4.folders
root = next(f for f in folders.values() if f["scope"] == "WsRoot")
sub = v4.query_folder_subtrees(root["id"])["data"]
assert len(sub) > 1, sub
tasks = v4.query_tasks_all()["data"]
assert tasks, "tasks"
one = v4.query_tasks([tasks[0]["id"]])["data"][0]
assert one["id"] == tasks[0]["id"]
project = next(f for f in v4.query_folders(list(folders)[:100])["data"] if "project" in f)
assert v4.extract_project_status(project) in ("Green", "Yellow", "Red", "Completed", "OnHold", "Cancelled", "Custom")
groups = v4.query_groups_all()
assert "errorDescription" in groups, "groups need a group scope the token lacks: Wrike's error body comes back"

# WrikePy: parameters in the query string, also on POST and PUT.
w = WrikePyClient(base_url=api, perm_access_token=token)
folder = next(f["id"] for f in folders.values() if f["scope"] == "WsFolder" and not f.get("space"))
created = Tasks(w, ids=folder, parameters={"title": "Made by WrikePy", "importance": "High"}).create__folders_folderId_tasks()
assert created.status_code == 200, created.text
task = created.json()["data"][0]
assert task["title"] == "Made by WrikePy" and task["importance"] == "High", task
updated = Tasks(w, ids=task["id"], parameters={"status": "Completed"}).update__tasks_taskId().json()["data"][0]
assert updated["status"] == "Completed" and "completedDate" in updated, updated
listed = Tasks(w, ids=folder, parameters={"status": '["Completed"]'}).query__folders_folderId_tasks().json()["data"]
assert any(t["id"] == task["id"] for t in listed), "the completed task is listed"
deleted = Tasks(w, ids=task["id"]).delete__tasks_taskId().json()["data"][0]
assert deleted["scope"] == "RbTask", deleted
assert Contacts(w, parameters={"me": "true"}).query__contacts().json()["data"][0]["me"] is True
assert Workflows(w).query__workflows().status_code == 200
assert FoldersProjects(w, ids=folder).query_folders_folderIds().json()["data"][0]["id"] == folder
# With a filter, the folder listing switches from tree entries to full folders.
projects = FoldersProjects(w, parameters={"project": "true"}).query_folders().json()
assert projects["kind"] == "folders" and all("project" in f for f in projects["data"]), projects["kind"]
print("third-party clients: all checks passed")
