from django.http import Http404


def activity_list(request, branch_pk):
    raise Http404


def activity_create(request, branch_pk):
    raise Http404


def activity_detail(request, pk):
    raise Http404


def activity_edit(request, pk):
    raise Http404
