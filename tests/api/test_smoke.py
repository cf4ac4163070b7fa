from tests.fixtures.graphql import Api
from tests.fixtures.world import World


async def test_viewer_and_directory(api: Api, world: World) -> None:
    member = await world.member("Alpha SA")
    user = await world.user(member)
    data = await api.query(
        "{ viewer { kind member { legalName } } members { totalCount } }", token=world.token(user)
    )
    assert data == {
        "viewer": {"kind": "USER", "member": {"legalName": "Alpha SA"}},
        "members": {"totalCount": 1},
    }
